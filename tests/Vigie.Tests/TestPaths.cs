namespace Vigie.Tests;

/// <summary>Locates the repository and the shared data beside it, from wherever the tests run.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared(string relative)
    {
        var path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", relative));
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"shared test data missing: {path} (the tests expect ../shared beside the repository)");
        return path;
    }

    public static string Clip(string relative) => Shared(Path.Combine("data", relative));
    public static string Model(string file) => Shared(Path.Combine("models", file));

    /// <summary>The frame of a shared clip at a time (seconds from its start).</summary>
    public static OpenCvSharp.Mat FrameAt(string clip, double seconds)
    {
        using var capture = new OpenCvSharp.VideoCapture(Clip(clip));
        capture.Set(OpenCvSharp.VideoCaptureProperties.PosMsec, seconds * 1000);
        var frame = new OpenCvSharp.Mat();
        Assert.True(capture.Read(frame), $"{clip} at {seconds} s");
        return frame;
    }

    /// <summary>A new empty folder, removed with the rest of this run's scratch when the test process ends.</summary>
    public static string TempFolder()
    {
        var folder = Path.Combine(RunScratch.Value, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static readonly string ScratchRoot = Path.Combine(Path.GetTempPath(), "vigie-tests");

    // A whole suite writes a few hundred megabytes of videos and stores; left behind, runs fill the disk.
    // VIGIE_KEEP_TEST_FILES=1 keeps them to look at after a failure.
    private static bool KeepFiles => Environment.GetEnvironmentVariable("VIGIE_KEEP_TEST_FILES") == "1";

    private static readonly Lazy<string> RunScratch = new(() =>
    {
        var run = Path.Combine(ScratchRoot, $"run-{Environment.ProcessId}");
        if (KeepFiles) return run;
        RemoveScratchOfEndedRuns();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(run);
        return run;
    });

    /// <summary>What runs killed before their end left (and anything else there but a running suite's own).</summary>
    private static void RemoveScratchOfEndedRuns()
    {
        if (!Directory.Exists(ScratchRoot)) return;
        foreach (var folder in Directory.GetDirectories(ScratchRoot))
        {
            var name = Path.GetFileName(folder);
            if (name.StartsWith("run-", StringComparison.Ordinal) && int.TryParse(name["run-".Length..], out var pid) && IsRunning(pid)) continue;
            TryDelete(folder);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process still writing there, or nothing left: the next run tries again.
        }
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vigie.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find Vigie.slnx above the test binaries");
    }
}
