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
        // A Ctrl+C in the terminal reaches the whole process group, the encoder included.
        var encoder = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit))
            .Single(pid => File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains(path));
        System.Diagnostics.Process.Start("kill", ["-INT", encoder!])!.WaitForExit();

        var error = Assert.Throws<IOException>(() =>
        {
            for (var i = 0; i < 1000; i++) writer.Write(frame);
            writer.Dispose();
        });
        Assert.True(error.Message.Contains("ffmpeg was interrupted"), error.Message);
    }
}
