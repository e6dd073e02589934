using System.Diagnostics;
using System.Globalization;
using System.Text;
using Vigie.Config;
using Vigie.Pipeline;
using Vigie.Video;

namespace Vigie.Bench;

/// <summary>What every benchmark shares: the scene it runs, a silent observer, the heading of its report section.</summary>
internal static class BenchParts
{
    /// <summary>Default scene with the given model (the motion detector when none) at the given analysis rate.</summary>
    /// <param name="watched">Add the camera `vigie analyze FILE` watches without a configuration (the use cases needing
    /// no zone, on the whole image), so the rules' costs are measured too; without it, no rule runs.</param>
    public static SceneConfig Config(string? model, double fps = 5, bool watched = false)
    {
        var config = new SceneConfig { Analysis = { Fps = fps } };
        if (watched) config.Cameras.Add(UseCaseScope.WholeImage("bench"));
        if (model is not null)
        {
            config.Detector.Type = "onnx";
            config.Detector.Model = model;
        }
        return config;
    }

    public static readonly IAnalysisObserver Silent = new SilentObserver();

    /// <summary>A Markdown section started with its title, date and machine.</summary>
    public static StringBuilder Section(string title, string machine, DateTimeOffset when)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Date: {when:yyyy-MM-dd HH:mm} UTC; machine: {machine}");
        return sb;
    }

    /// <summary>Runs ffmpeg quietly; its error output becomes the exception's message.</summary>
    public static async Task FfmpegAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-nostdin", "-v", "error", "-y" }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync(ct);
        await p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0) throw new VideoSourceException($"ffmpeg {string.Join(' ', args)}: {await error}");
    }

    /// <summary>H.264 without B-frames, a key frame every 2 s at 25 fps: as IP cameras record.</summary>
    public static readonly string[] CameraEncoding = ["-c:v", "libx264", "-preset", "superfast", "-bf", "0", "-g", "50", "-pix_fmt", "yuv420p", "-an"];

    /// <summary>The files played one after the other, copied into one file without re-encoding (they share codec and size).</summary>
    public static async Task ConcatAsync(IReadOnlyList<string> files, string output, CancellationToken ct)
    {
        var listFile = output + ".txt";
        await File.WriteAllLinesAsync(listFile, files.Select(f => $"file '{f}'"), ct);
        await FfmpegAsync(["-f", "concat", "-safe", "0", "-i", listFile, "-c", "copy", output], ct);
    }

    /// <summary>Resident memory of this process's children (the cameras' ffmpeg decoders), read from /proc; 0 where there is none.</summary>
    public static long ChildProcessesResidentBytes(int parent)
    {
        long total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (command) state ppid …": the command may hold spaces or brackets, so read after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) != parent) continue;
                var rss = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (rss is not null) total += long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // Not a process folder, or the process ended while being read.
            }
        }
        return total;
    }

    private sealed class SilentObserver : IAnalysisObserver;
}
