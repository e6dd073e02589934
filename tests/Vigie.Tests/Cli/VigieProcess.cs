using System.Diagnostics;

namespace Vigie.Tests.Cli;

/// <summary>Runs the real `vigie` program as a user would, in a child process.</summary>
public static class VigieProcess
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(IEnumerable<string> args, string? input = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vigie.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Starts `vigie` in a session (and process group) of its own, as a terminal runs a command, so that a signal can be sent
    /// to the whole group as Ctrl+C does.
    /// </summary>
    public static RunningVigie StartInOwnSession(IEnumerable<string> args)
    {
        // A test run started in the background (CI, nohup) ignores SIGINT, and its children inherit that: env gives it back.
        var start = new ProcessStartInfo("env") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--default-signal=INT", "setsid", "dotnet" }) start.ArgumentList.Add(a);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vigie.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        return new RunningVigie(Process.Start(start)!);
    }

    /// <summary>The processes whose parent is this one, with their session (from /proc).</summary>
    public static IEnumerable<(int Pid, string Name, int Session)> Children(int parent)
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(folder, "stat"));
            }
            catch (IOException)
            {
                continue; // ended meanwhile
            }
            // "pid (name) state ppid pgrp session ...": the name may hold spaces and brackets.
            var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1]) == parent) yield return (pid, name, int.Parse(fields[3]));
        }
    }
}

/// <summary>A `vigie` running in its own session, its output and errors gathered; killed, with its children, if still running when disposed.</summary>
public sealed class RunningVigie : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    public RunningVigie(Process process)
    {
        _process = process;
        process.ErrorDataReceived += Gather;
        process.OutputDataReceived += Gather;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public int Id => _process.Id;

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>Waits until the log shows this (at most the timeout); returns whether it did.</summary>
    public async Task<bool> LogShowsAsync(Func<string, bool> what, TimeSpan timeout)
    {
        for (var waited = Stopwatch.StartNew(); !what(Log) && waited.Elapsed < timeout;) await Task.Delay(100);
        return what(Log);
    }

    /// <summary>Ctrl+C as a terminal sends it, to the whole group; returns the exit code (waits at most a minute).</summary>
    public async Task<int> InterruptAsync()
    {
        Process.Start("kill", ["-INT", "--", "-" + _process.Id])!.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    private void Gather(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null) lock (_log) _log.AppendLine(e.Data);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
