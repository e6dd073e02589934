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

    public static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "vigie-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vigie.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find Vigie.slnx above the test binaries");
    }
}
