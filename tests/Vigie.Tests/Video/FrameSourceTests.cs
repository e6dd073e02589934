using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using Vigie.Video;

namespace Vigie.Tests.Video;

/// <summary>Real decoding through Debian's ffmpeg on generated and real clips.</summary>
public class FrameSourceTests
{
    private static readonly Lazy<string> SyntheticClip = new(() =>
    {
        var path = Path.Combine(TestPaths.TempFolder(), "synthetic.mp4");
        SyntheticScene.Default.WriteVideo(path);
        return path;
    });

    private static async Task<List<(long Index, TimeSpan Time, int Width)>> ReadAll(IFrameSource source)
    {
        var frames = new List<(long, TimeSpan, int)>();
        await foreach (var f in source.ReadFramesAsync(CancellationToken.None))
            using (f) frames.Add((f.Index, f.Timestamp, f.Image.Width));
        return frames;
    }

    [Fact]
    public async Task A_25_fps_file_sampled_at_5_fps_gives_stream_timestamps_every_200_ms()
    {
        await using var source = await FfmpegSource.OpenAsync(SyntheticClip.Value, new DecodeOptions(Fps: 5));
        var frames = await ReadAll(source);
        Assert.Equal(70, frames.Count);
        for (int i = 0; i < frames.Count; i++) Assert.Equal(i * 0.2, frames[i].Time.TotalSeconds, 3);
        Assert.Equal(25, source.Info.Fps);
    }

    [Fact]
    public async Task Skipping_the_deblocking_filter_gives_the_same_frames_with_nearly_the_same_pixels()
    {
        await using var full = await FfmpegSource.OpenAsync(SyntheticClip.Value, new DecodeOptions(Fps: 5));
        await using var fast = await FfmpegSource.OpenAsync(SyntheticClip.Value, new DecodeOptions(Fps: 5, SkipDeblocking: true));
        var fullFrames = new List<(TimeSpan, Mat)>();
        await foreach (var f in full.ReadFramesAsync(CancellationToken.None))
            using (f) fullFrames.Add((f.Timestamp, f.Image.Clone()));
        var compared = 0;
        await foreach (var f in fast.ReadFramesAsync(CancellationToken.None))
            using (f)
            {
                var (time, image) = fullFrames[compared++];
                Assert.Equal(time, f.Timestamp);
                using var difference = new Mat();
                Cv2.Absdiff(image, f.Image, difference);
                var meanDifference = Cv2.Mean(difference);
                Assert.True(meanDifference.Val0 + meanDifference.Val1 + meanDifference.Val2 < 3 * 2.0, $"frame at {time}: mean difference {meanDifference}");
            }
        Assert.Equal(fullFrames.Count, compared);
        foreach (var (_, image) in fullFrames) image.Dispose();
    }

    [Fact]
    public async Task Every_frame_when_the_analysis_rate_is_zero_and_scaled_to_the_maximum_width()
    {
        await using var source = await FfmpegSource.OpenAsync(SyntheticClip.Value, new DecodeOptions(Fps: 0, MaxWidth: 320));
        var frames = await ReadAll(source);
        Assert.Equal(350, frames.Count);
        Assert.Equal(0.04, frames[1].Time.TotalSeconds, 3);
        Assert.All(frames, f => Assert.Equal(320, f.Width));
        Assert.Equal(180, source.FrameHeight);
    }

    [Fact]
    public async Task A_recording_slower_than_the_analysis_rate_keeps_its_own_frames_without_repeats()
    {
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "two_fps.mp4");
        using (var writer = new FfmpegVideoWriter(clip, 320, 180, 2))
            for (int i = 0; i < 8; i++)
            {
                using var frame = new Mat(180, 320, MatType.CV_8UC3, Scalar.All(20 + 25 * i));
                writer.Write(frame);
            }
        await using var source = await FfmpegSource.OpenAsync(clip, new DecodeOptions(Fps: 5));
        var frames = new List<(double Time, byte Grey)>();
        await foreach (var f in source.ReadFramesAsync(CancellationToken.None))
            using (f) frames.Add((f.Timestamp.TotalSeconds, f.Image.At<Vec3b>(90, 160).Item0));
        Assert.Equal(8, frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(i * 0.5, frames[i].Time, 3);
            Assert.InRange(frames[i].Grey, 20 + 25 * i - 6, 20 + 25 * i + 6);
        }
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_gap_in_a_recording_stays_a_gap_instead_of_copies_of_the_frame_before_it()
    {
        // A recorder that paused: 2 s of video, nothing for 10 s, 2 s more. Each part's frames differ (a grey ramp).
        var folder = TestPaths.TempFolder();
        var clip = await FfmpegTool.RecordingWithGapAsync(folder);

        await using var source = await FfmpegSource.OpenAsync(clip, new DecodeOptions(Fps: 5));
        var times = (await ReadAll(source)).Select(f => f.Time.TotalSeconds).ToList();
        // 10 frames before the gap (0 to 1.8 s), at most one at its start, 10 after it (12 to 13.8 s); none inside.
        Assert.InRange(times.Count, 20, 21);
        Assert.DoesNotContain(times, t => t > 2.05 && t < 11.95);
        Assert.Equal(12, times.First(t => t > 5), 1);
        // And the gap is reported, from the last picture before it to the first after it.
        var gap = Assert.Single(source.Gaps);
        Assert.Equal(2.0, gap.From.TotalSeconds, 1);
        Assert.Equal(12.0, gap.To.TotalSeconds, 1);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_recording_whose_picture_changes_size_is_read_on_with_its_own_times()
    {
        // 6 s at 640x360, then, 3 s later in the stream, 6 s at 320x240: two recorder files joined, as a DVR export does.
        var folder = TestPaths.TempFolder();
        string Part(string name, string size, string offset)
        {
            var path = Path.Combine(folder, name);
            FfmpegTool.RunAsync("-f", "lavfi", "-i", $"testsrc=size={size}:rate=25", "-t", "6", "-c:v", "libx264", "-preset", "ultrafast",
                "-output_ts_offset", offset, path).GetAwaiter().GetResult();
            return path;
        }
        var clip = Path.Combine(folder, "joined.ts");
        await File.WriteAllBytesAsync(clip, [.. File.ReadAllBytes(Part("a.ts", "640x360", "0")), .. File.ReadAllBytes(Part("b.ts", "320x240", "9"))]);

        await using var source = await FfmpegSource.OpenAsync(clip, new DecodeOptions(Fps: 5));
        var times = (await ReadAll(source)).Select(f => f.Time.TotalSeconds).ToList();
        // Every frame of both parts, each with its own time: the second part's from 9 s (ffmpeg counts its frames
        // from 0 again when the size changes; they were taken for missing and given made-up times, 2 s a frame).
        Assert.InRange(times.Count, 60, 61);
        Assert.Equal(9.0, times.First(t => t > 6.5), 1);
        Assert.Equal(14.8, times[^1], 1);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_recording_with_a_second_larger_video_stream_is_read_from_the_stream_described()
    {
        // A recorder's export: the camera's stream, then a larger one, neither marked default (ffmpeg alone would
        // then pick the larger).
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "two-streams.mkv");
        await FfmpegTool.RunAsync("-i", SyntheticClip.Value, "-f", "lavfi", "-i", "testsrc=s=1280x720:r=25:d=2",
            "-map", "0:v", "-map", "1:v", "-c:v", "libx264", "-preset", "ultrafast", "-t", "2", "-disposition:v", "0", clip);

        await using var source = await FfmpegSource.OpenAsync(clip, new DecodeOptions(Fps: 5));
        await using var single = await FfmpegSource.OpenAsync(SyntheticClip.Value, new DecodeOptions(Fps: 5));
        Assert.Equal((single.FrameWidth, single.FrameHeight), (source.FrameWidth, source.FrameHeight));
        var frames = 0;
        await using var expected = single.ReadFramesAsync(CancellationToken.None).GetAsyncEnumerator();
        await foreach (var f in source.ReadFramesAsync(CancellationToken.None))
            using (f)
            {
                Assert.True(await expected.MoveNextAsync());
                using var same = expected.Current;
                using var difference = new Mat();
                Cv2.Absdiff(f.Image, same.Image, difference);
                Assert.True(Cv2.Mean(difference).Val0 < 6, $"frame {frames} differs from the camera's stream by {Cv2.Mean(difference).Val0:0.0}");
                frames++;
            }
        Assert.Equal(10, frames);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_missing_file_is_named_in_the_error()
    {
        var e = await Assert.ThrowsAsync<VideoSourceException>(() => FfmpegSource.OpenAsync("/nonexistent/clip.mp4", new DecodeOptions()));
        Assert.Equal("/nonexistent/clip.mp4: no such file", e.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_video_cannot_be_opened()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "random.mp4");
        var bytes = new byte[200_000];
        new Random(1).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        var e = await Assert.ThrowsAsync<VideoSourceException>(() => FfmpegSource.OpenAsync(path, new DecodeOptions()));
        Assert.StartsWith($"{path}: cannot open:", e.Message);
    }

    [Fact]
    public async Task A_truncated_recording_delivers_what_it_has_then_says_it_is_truncated()
    {
        var original = TestPaths.Clip("pedestrians/vtest.avi");
        var path = Path.Combine(TestPaths.TempFolder(), "truncated.avi");
        var bytes = await File.ReadAllBytesAsync(original);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length * 2 / 5)]);
        await using var source = await FfmpegSource.OpenAsync(path, new DecodeOptions(Fps: 5));
        var frames = new List<TimeSpan>();
        var e = await Assert.ThrowsAsync<VideoSourceException>(async () =>
        {
            await foreach (var f in source.ReadFramesAsync(CancellationToken.None))
                using (f) frames.Add(f.Timestamp);
        });
        Assert.InRange(frames.Count, 10, 40);
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData("rtsp://127.0.0.1:9/nothing", "rtsp://127.0.0.1:9/nothing")]
    [InlineData("http://127.0.0.1:9/stream.mjpg", "http://127.0.0.1:9/stream.mjpg")]
    [InlineData("rtsp://admin:s3cret@127.0.0.1:9/nothing", "rtsp://***@127.0.0.1:9/nothing")]
    public async Task An_unreachable_camera_is_a_clear_error_without_its_password(string url, string shown)
    {
        var e = await Assert.ThrowsAsync<VideoSourceException>(() => FfmpegSource.OpenAsync(url, new DecodeOptions()));
        Assert.StartsWith($"{shown}: cannot open:", e.Message);
        Assert.Contains("refused", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret", e.Message); // ffmpeg's own words repeat the address
    }

    [Theory]
    [InlineData("rtsp://admin:secret@10.0.0.5/stream", "rtsp://admin:secret@10.0.0.5/stream", "rtsp://***@10.0.0.5/stream")]
    [InlineData("rtsp://admin:p%40ss@10.0.0.5/stream", "rtsp://admin:p@ss@10.0.0.5/stream: 401 Unauthorized", "rtsp://***@10.0.0.5/stream: 401 Unauthorized")]
    [InlineData("rtsp://10.0.0.5/stream", "rtsp://10.0.0.5/stream", "rtsp://10.0.0.5/stream")]
    [InlineData("/data/recording.mp4", "/data/recording.mp4: no such file", "/data/recording.mp4: no such file")]
    public void A_camera_password_is_hidden_in_what_is_shown(string source, string text, string shown) =>
        Assert.Equal(shown, Credentials.HiddenIn(text, source));

    [Fact]
    public async Task A_folder_of_images_plays_in_natural_order_and_skips_unreadable_ones()
    {
        var folder = TestPaths.TempFolder();
        for (int i = 1; i <= 12; i++)
        {
            using var img = new Mat(90, 160, MatType.CV_8UC3, Scalar.All(i * 20));
            Cv2.ImWrite(Path.Combine(folder, $"img{i}.png"), img);
        }
        await File.WriteAllTextAsync(Path.Combine(folder, "img5.png"), "not an image");
        await using var source = ImageFolderSource.Open(folder, imagesPerSecond: 2, analysisFps: 0, maxWidth: 1280, NullLogger.Instance);
        var values = new List<(double Time, byte Grey)>();
        await foreach (var f in source.ReadFramesAsync(CancellationToken.None))
            using (f) values.Add((f.Timestamp.TotalSeconds, f.Image.At<Vec3b>(0, 0).Item0));
        Assert.Equal(11, values.Count);
        Assert.Equal([20, 40, 60, 80, 120], values.Take(5).Select(v => (int)v.Grey));
        Assert.Equal(2.5, values[4].Time, 3); // img6, the sixth image at 2 images/s
        Assert.Equal(240, values[^1].Grey);
    }

    [Fact]
    public void Natural_order_puts_2_before_10() =>
        Assert.Equal(["a2.jpg", "a10.jpg", "b1.jpg"],
            new[] { "b1.jpg", "a10.jpg", "a2.jpg" }.Order(ImageFolderSource.NaturalComparer.Instance));
}

/// <summary>Debian's ffmpeg run to make test footage: it must succeed.</summary>
internal static class FfmpegTool
{
    public static async Task RunAsync(params string[] args)
    {
        using var ffmpeg = System.Diagnostics.Process.Start("ffmpeg", ["-v", "error", "-y", .. args]);
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
    }

    /// <summary>
    /// A recorder that paused: <paramref name="partSeconds"/> of video (a grey ramp), nothing for 10 s, as
    /// long again (a lighter ramp); in each part a white square crosses the picture.
    /// </summary>
    public static async Task<string> RecordingWithGapAsync(string folder, string name = "gap.mp4", int partSeconds = 2)
    {
        var frames = 25 * partSeconds;
        string Part(int part)
        {
            var path = Path.Combine(folder, $"{name}.part{part}.mp4");
            using var writer = new FfmpegVideoWriter(path, 320, 180, 25);
            for (int i = 0; i < frames; i++)
            {
                using var frame = new Mat(180, 320, MatType.CV_8UC3, Scalar.All(20 + 100 * i / frames + 110 * part));
                Cv2.Rectangle(frame, new Rect(10 + 260 * i / frames, 70, 24, 40), Scalar.White, -1);
                writer.Write(frame);
            }
            return path;
        }
        var list = Path.Combine(folder, $"{name}.parts.txt");
        File.WriteAllText(list, $"file '{Part(0)}'\nduration {partSeconds + 10}\nfile '{Part(1)}'\n");
        var clip = Path.Combine(folder, name);
        await RunAsync("-f", "concat", "-safe", "0", "-i", list, "-c", "copy", clip);
        foreach (var part in Directory.EnumerateFiles(folder, $"{name}.part*")) File.Delete(part);
        File.Delete(list);
        return clip;
    }
}

/// <summary>Phone clips stored sideways with a display rotation arrive upright, at their upright size.</summary>
public class RotatedClipTests
{
    [Theory]
    // Debian's ffmpeg writes the tag as a display matrix turning the picture counter-clockwise
    // (ffprobe: "rotation": 90): the red top-left quadrant then ends bottom left.
    [InlineData(90, 0, 1)]
    [InlineData(180, 1, 1)]
    [InlineData(270, 1, 0)]
    public async Task A_clip_with_a_display_rotation_is_decoded_upright(int rotation, int redColumn, int redRow)
    {
        var folder = TestPaths.TempFolder();
        var stored = Path.Combine(folder, "stored.mp4");
        using (var writer = new FfmpegVideoWriter(stored, 640, 360, 25))
        using (var frame = new Mat(360, 640, MatType.CV_8UC3, new Scalar(128, 128, 128)))
        {
            frame[new Rect(0, 0, 320, 180)].SetTo(new Scalar(0, 0, 220));
            for (int i = 0; i < 10; i++) writer.Write(frame);
        }
        var rotated = Path.Combine(folder, "rotated.mp4");
        await FfmpegTool.RunAsync("-i", stored, "-c", "copy", "-metadata:s:v:0", $"rotate={rotation}", rotated);

        await using var source = await FfmpegSource.OpenAsync(rotated, new DecodeOptions(Fps: 5));
        var (width, height) = rotation == 180 ? (640, 360) : (360, 640);
        Assert.Equal((width, height), (source.FrameWidth, source.FrameHeight));
        var frames = 0;
        await foreach (var f in source.ReadFramesAsync(CancellationToken.None))
            using (f)
            {
                frames++;
                Assert.Equal((width, height), (f.Image.Width, f.Image.Height));
                for (int row = 0; row < 2; row++)
                    for (int column = 0; column < 2; column++)
                    {
                        var pixel = f.Image.At<Vec3b>(height / 4 + row * height / 2, width / 4 + column * width / 2);
                        var isRed = pixel.Item2 > 180 && pixel.Item0 < 60;
                        Assert.True(isRed == (row == redRow && column == redColumn), $"quadrant ({column}, {row}) is {pixel}");
                    }
            }
        Assert.Equal(2, frames);
        Directory.Delete(folder, recursive: true);
    }
}

/// <summary>Interlaced recordings (two fields per frame, as analogue cameras and DVRs record) arrive deinterlaced.</summary>
public class InterlacedClipTests
{
    [Fact]
    public async Task A_moving_edge_of_an_interlaced_clip_does_not_comb()
    {
        // A bar crossing at 600 px/s, filmed at 50 fields/s and woven two fields per frame: raw, its
        // edge in odd rows stands 12 px from the even rows'.
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "interlaced.mp4");
        await FfmpegTool.RunAsync("-f", "lavfi", "-i",
            "nullsrc=s=640x360:r=50,geq=lum='if(between(X,mod(T*600,600),mod(T*600,600)+40),235,16)':cb=128:cr=128",
            "-t", "2", "-vf", "tinterlace=mode=interleave_top,setfield=tff",
            "-c:v", "libx264", "-flags", "+ildct+ilme", "-x264opts", "tff=1", "-pix_fmt", "yuv420p", clip);

        await using var source = await FfmpegSource.OpenAsync(clip, new DecodeOptions(Fps: 5));
        Assert.True(source.Info.Interlaced);
        var frames = 0;
        await foreach (var f in source.ReadFramesAsync(CancellationToken.None))
            using (f)
            {
                frames++;
                int LeftEdge(int row) => Enumerable.Range(0, f.Image.Width).FirstOrDefault(x => f.Image.At<Vec3b>(row, x).Item1 > 128, -1);
                for (int row = 100; row < 110; row += 2)
                    Assert.InRange(LeftEdge(row + 1) - LeftEdge(row), -2, 2);
            }
        Assert.Equal(10, frames);
        Directory.Delete(folder, recursive: true);
    }
}

/// <summary>
/// Recordings with non-square pixels (anamorphic 16:9 on a 720x576 raster, analogue 960H cameras) arrive in square
/// pixels, as a player shows them: a circle stays a circle, so people keep the shape the detector and rules know.
/// </summary>
public class NonSquarePixelTests
{
    [Theory]
    // Stored 450 wide, shown 64/45 wider: the height is brought down to match the width's density (360 × 45/64).
    [InlineData("64/45", 45.0 / 64, 450, 252)]
    // Stored 800 wide, shown 4/5 as wide: the width is brought down.
    [InlineData("4/5", 5.0 / 4, 640, 360)]
    public async Task A_circle_stored_with_non_square_pixels_is_decoded_round(string pixelAspect, double storedWidthFactor, int width, int height)
    {
        var folder = TestPaths.TempFolder();
        var square = Path.Combine(folder, "square.mp4");
        using (var writer = new FfmpegVideoWriter(square, 640, 360, 25))
        using (var frame = new Mat(360, 640, MatType.CV_8UC3, Scalar.All(30)))
        {
            Cv2.Circle(frame, new Point(320, 180), 100, Scalar.All(230), -1);
            for (int i = 0; i < 10; i++) writer.Write(frame);
        }
        var stored = Path.Combine(folder, "stored.mp4");
        var storedWidth = (int)Math.Round(640 * storedWidthFactor / 2) * 2;
        await FfmpegTool.RunAsync("-i", square, "-vf", $"scale={storedWidth}:360,setsar={pixelAspect}", "-c:v", "libx264", "-pix_fmt", "yuv420p", stored);

        await using var source = await FfmpegSource.OpenAsync(stored, new DecodeOptions(Fps: 5));
        Assert.Equal((storedWidth, 360), (source.Info.Width, source.Info.Height));
        Assert.Equal((width, height), (source.FrameWidth, source.FrameHeight));
        var frames = 0;
        await foreach (var f in source.ReadFramesAsync(CancellationToken.None))
            using (f)
            {
                frames++;
                using var grey = new Mat();
                Cv2.CvtColor(f.Image, grey, ColorConversionCodes.BGR2GRAY);
                using var bright = grey.Threshold(128, 255, ThresholdTypes.Binary);
                var circle = Cv2.BoundingRect(bright);
                Assert.InRange(circle.Width / (double)circle.Height, 0.95, 1.05);
            }
        Assert.Equal(2, frames);
        Directory.Delete(folder, recursive: true);
    }
}

/// <summary>Frames wider than the analysis width are shrunk in-process from ffmpeg's YUV picture: sizes, colours and places must hold.</summary>
public class ShrunkFrameTests
{
    [Fact]
    public async Task A_1080p_recording_arrives_at_1280_wide_with_its_colours_in_place()
    {
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "colours.mp4");
        using (var writer = new FfmpegVideoWriter(clip, 1920, 1080, 25))
        using (var frame = new Mat(1080, 1920, MatType.CV_8UC3, new Scalar(128, 128, 128)))
        {
            frame[new Rect(0, 0, 960, 540)].SetTo(new Scalar(0, 0, 220));      // red, top left
            frame[new Rect(960, 540, 960, 540)].SetTo(new Scalar(220, 0, 0));  // blue, bottom right
            for (int i = 0; i < 25; i++) writer.Write(frame);
        }
        await using var source = await FfmpegSource.OpenAsync(clip, new DecodeOptions(5, 1280, 1));
        var frames = 0;
        await foreach (var f in source.ReadFramesAsync(CancellationToken.None))
            using (f)
            {
                frames++;
                Assert.Equal((1280, 720), (f.Image.Width, f.Image.Height));
                var red = f.Image.At<Vec3b>(180, 320);
                var blue = f.Image.At<Vec3b>(540, 960);
                var grey = f.Image.At<Vec3b>(180, 960);
                Assert.True(red.Item2 > 180 && red.Item0 < 60 && red.Item1 < 60, $"top left is red, got {red}");
                Assert.True(blue.Item0 > 180 && blue.Item2 < 60 && blue.Item1 < 60, $"bottom right is blue, got {blue}");
                Assert.InRange(grey.Item1, 110, 146);
            }
        Assert.Equal(5, frames);
        Directory.Delete(folder, recursive: true);
    }
}
