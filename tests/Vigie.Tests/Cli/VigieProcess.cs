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
    /// to the whole group as Ctrl+C does; its output and errors (the log) are gathered in <paramref name="log"/>.
    /// </summary>
    public static Process StartInOwnSession(IEnumerable<string> args, System.Text.StringBuilder log)
    {
        // A test run started in the background (CI, nohup) ignores SIGINT, and its children inherit that: env gives it back.
        var start = new ProcessStartInfo("env") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--default-signal=INT", "setsid", "dotnet" }) start.ArgumentList.Add(a);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vigie.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        void Gather(object _, DataReceivedEventArgs e)
        {
            if (e.Data is not null) lock (log) log.AppendLine(e.Data);
        }
        process.ErrorDataReceived += Gather;
        process.OutputDataReceived += Gather;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>Sends a signal to every process of the group led by this process.</summary>
    public static void SignalGroup(Process leader, string signal) => Process.Start("kill", ["-" + signal, "--", "-" + leader.Id])!.WaitForExit();

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
