using OpenCvSharp;
using Vigie.Video;

namespace Vigie.Tests.Video;

/// <summary>Videos take their name only once complete.</summary>
public class PartialVideoTests
{
    private static void Encode(string path, int width, int height)
    {
        using var writer = new FfmpegVideoWriter(path, width, height, 5);
        using var frame = new Mat(height, width, MatType.CV_8UC3, new Scalar(40, 90, 140));
        for (int i = 0; i < 10; i++) writer.Write(frame);
    }

    [Fact]
    public async Task A_complete_video_takes_its_name_and_replaces_the_one_made_before()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "clip.mp4");
        await File.WriteAllTextAsync(path, "made before");

        await PartialVideo.WriteAsync(path, partial => Task.Run(() =>
        {
            Assert.Equal("made before", File.ReadAllText(path)); // the older video stays while the new one is written
            Encode(partial, 64, 48);
        }));

        using var capture = new VideoCapture(path);
        Assert.Equal(64, capture.FrameWidth);
        Assert.False(File.Exists(PartialVideo.PartOf(path)));
    }

    [Fact]
    public async Task A_video_the_encoder_could_not_finish_leaves_nothing_half_made_and_the_one_made_before()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "clip.mp4");
        await File.WriteAllTextAsync(path, "made before");

        // Wider than any H.264 encoder takes: ffmpeg stops at once, as it would on a full disk later on.
        var error = await Assert.ThrowsAsync<IOException>(() => PartialVideo.WriteAsync(path, partial => Task.Run(() => Encode(partial, 17000, 16))));

        Assert.Contains("clip.mp4", error.Message);
        Assert.Equal("made before", await File.ReadAllTextAsync(path));
        Assert.False(File.Exists(PartialVideo.PartOf(path)));
    }

    [Fact]
    public void An_encoder_stopped_by_a_signal_says_so()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "interrupted.mp4");
        var writer = new FfmpegVideoWriter(path, 64, 48, 5);
        using var frame = new Mat(48, 64, MatType.CV_8UC3, new Scalar(40, 90, 140));
        writer.Write(frame);
        // Once ffmpeg itself catches SIGINT: earlier, the signal would reach setsid, or ffmpeg before it set its handler.
        static ulong Mask(int pid, string field) => Convert.ToUInt64(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":"))[
            (field.Length + 1)..].Trim(), 16);
        const ulong sigint = 1 << 1;
        for (var waited = 0; waited < 250 && (Mask(writer.ProcessId, "SigCgt") & sigint) == 0; waited++) Thread.Sleep(20);
        Assert.Equal(sigint, Mask(writer.ProcessId, "SigCgt") & sigint);
        Assert.Equal(0UL, Mask(writer.ProcessId, "SigBlk") & sigint);
        System.Diagnostics.Process.Start("kill", ["-INT", writer.ProcessId.ToString()])!.WaitForExit();

        var error = Assert.Throws<IOException>(() =>
        {
            for (var i = 0; i < 1000; i++) writer.Write(frame);
            writer.Dispose();
        });
        Assert.True(error.Message.Contains("ffmpeg was interrupted"), error.Message);
    }

    [Fact]
    public void The_encoder_runs_in_a_session_of_its_own_so_a_ctrl_c_in_the_terminal_leaves_it_to_finish()
    {
        static string Session(int pid) => File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].Split(' ')[3];
        static string CommandLine(int pid) => File.ReadAllText($"/proc/{pid}/cmdline");
        using var writer = new FfmpegVideoWriter(Path.Combine(TestPaths.TempFolder(), "detached.mp4"), 64, 48, 5);
        // Read at once, the process may still be between setsid and ffmpeg (an empty command line: a fresh run saw it once).
        for (var waited = 0; waited < 100 && !CommandLine(writer.ProcessId).Contains("ffmpeg"); waited++) Thread.Sleep(20);
        Assert.Contains("ffmpeg", CommandLine(writer.ProcessId)); // setsid ran it in place
        // setsid makes the session just before it runs ffmpeg.
        for (var waited = 0; waited < 100 && Session(writer.ProcessId) != writer.ProcessId.ToString(); waited++) Thread.Sleep(20);
        Assert.NotEqual(Session(Environment.ProcessId), Session(writer.ProcessId));
        Assert.Equal(writer.ProcessId.ToString(), Session(writer.ProcessId)); // its own session's leader
    }

    [Fact]
    public void A_program_missing_when_run_in_a_session_of_its_own_is_named()
    {
        var psi = OwnSession.For("vigie-no-such-program", ["-version"]);
        psi.RedirectStandardError = true;
        using var process = OwnSession.Start(psi);
        var message = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.NotEqual(0, process.ExitCode);
        Assert.Equal("vigie-no-such-program is not installed or not on PATH", OwnSession.Missing("vigie-no-such-program", message));
        Assert.Null(OwnSession.Missing("ffmpeg", "Invalid data found when processing input"));
    }

    [Theory]
    [InlineData("setsid: failed to execute ffmpeg: No such file or directory", 1, "ffmpeg is not installed")]
    [InlineData("", 255, "ffmpeg was interrupted")]
    [InlineData("", 137, "ffmpeg was killed")]
    [InlineData("Could not write header: No space left on device\n", 1, "No space left on device")]
    [InlineData("", 3, "ffmpeg exited with code 3 without a message")]
    public void An_encoder_failure_is_told_in_words(string message, int exitCode, string expected) =>
        Assert.Contains(expected, FfmpegVideoWriter.Failure(message, exitCode));
}
