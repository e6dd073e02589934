using System.Text.Json;
using OpenCvSharp;
using Vigie.Cli.Commands;
using Vigie.Evaluation;
using Vigie.Tests.Video;
using Vigie.Video;

namespace Vigie.Tests.Evaluation;

/// <summary>`vigie eval --variants`: altered copies of annotated clips, their scenes altered with them.</summary>
public class FootageVariantsTests
{
    private static FootageVariant Variant(string name) => FootageVariants.All.Single(v => v.Name == name);

    [Fact]
    public void A_mirrored_copy_mirrors_zones_directions_lines_calibration_and_boxes()
    {
        var clip = new TruthClip("cams/gate.avi", null,
            new TruthScene(
                [new TruthZone("left", [[0.1, 0.2], [0.3, 0.2], [0.3, 0.9]], ["wrong_way"], [0.6, -0.8], null)],
                [new TruthLine("door", [0.2, 0.5], [0.4, 0.6], "left_to_right")],
                new TruthCalibration([[0.1, 0.9], [0.9, 0.9], [0.7, 0.4], [0.3, 0.4]], [[0, 0], [10, 0], [10, 20], [0, 20]])),
            [new TruthEvent("wrong_way", 1, 3, [0.1, 0.2, 0.3, 0.4], null, null)]);

        var mirrored = Assert.Single(FootageVariants.Apply(new TruthFile(1, [clip]), Variant("mirrored")).Clips);

        Assert.Equal("01-gate.mp4", mirrored.File);
        var zone = Assert.Single(mirrored.Scene!.Zones!);
        Assert.Equal([0.9, 0.7, 0.7], zone.Polygon.Select(p => Math.Round(p[0], 6)));
        Assert.Equal([-0.6, -0.8], zone.AllowedDirection!);
        var line = Assert.Single(mirrored.Scene.Lines!);
        Assert.Equal([0.8, 0.5], line.From.Select(v => Math.Round(v, 6)));
        Assert.Equal("right_to_left", line.Forbidden);
        Assert.Equal([0, 10, 10, 0], mirrored.Scene.Calibration!.GroundM.Select(p => p[0]));
        Assert.Equal(0.9, mirrored.Scene.Calibration.Image[0][0], 6);
        Assert.Equal([0.6, 0.2, 0.3, 0.4], mirrored.Events[0].Box!.Select(v => Math.Round(v, 6)));

        var smaller = Assert.Single(FootageVariants.Apply(new TruthFile(1, [clip]), Variant("smaller")).Clips);
        Assert.Equal(clip.Scene, smaller.Scene);
    }

    [Fact]
    public void Variants_are_named_or_all_and_an_unknown_name_is_an_error_naming_the_option()
    {
        Assert.Equal(FootageVariants.All, FootageVariants.Parse("all"));
        Assert.Equal(["underexposed", "mirrored"], FootageVariants.Parse("underexposed, mirrored").Select(v => v.Name));
        var error = Assert.Throws<ArgumentException>(() => FootageVariants.Parse("mirrored,foggy"));
        Assert.StartsWith("--variants: ", error.Message);
        Assert.Contains("'foggy' is not one of all, mirrored, smaller, underexposed, dim, low-bitrate, low-frame-rate, swaying, night", error.Message);
    }

    [Fact]
    public async Task An_intruder_in_a_zone_on_the_left_is_found_in_the_mirrored_copy_where_the_zone_is_mirrored_too()
    {
        // A light block walks left into a zone over the left 30 % of a grey picture, never into the right half.
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "walker.mp4");
        await FfmpegTool.RunAsync("-f", "lavfi", "-i", "color=c=0x606060:s=320x240:r=10:d=8", "-f", "lavfi", "-i", "color=c=0xe0e0e0:s=30x60:r=10:d=8",
            "-filter_complex", "[0][1]overlay=x='150-30*t':y=120", "-c:v", "libx264", "-pix_fmt", "yuv420p", clip);
        // Its feet (x + 15) cross 0.3 × 320 = 96 at 2.3 s.
        var truth = Path.Combine(folder, "truth.json");
        GroundTruth.Save(new TruthFile(1, [new TruthClip("walker.mp4", null,
            new TruthScene([new TruthZone("left", [[0, 0], [0.3, 0], [0.3, 1], [0, 1]], ["intrusion"], null, null)], null, null),
            [new TruthEvent("intrusion", 2, null, null, null, null)])]), truth);
        var config = Path.Combine(folder, "motion.yaml");
        await File.WriteAllTextAsync(config, "detector: { type: motion }\n");
        var output = Path.Combine(folder, "eval");

        var code = await EvalCommand.Create().Parse(["--truth", truth, "--config", config, "--out", output, "--variants", "mirrored"]).InvokeAsync();

        Assert.Equal(0, code);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "variants.json")));
        var intrusion = summary.RootElement.GetProperty("mirrored").GetProperty("kinds").GetProperty("intrusion");
        Assert.Equal(1, intrusion.GetProperty("tp").GetInt32());
        Assert.Equal(0, intrusion.GetProperty("fp").GetInt32());
        Assert.True(File.Exists(Path.Combine(output, "variants", "mirrored", "01-walker.mp4")));
        var mirroredTruth = GroundTruth.Load(Path.Combine(output, "variants", "mirrored", "truth.json"));
        Assert.Equal(0.7, mirroredTruth.Clips[0].Scene!.Zones![0].Polygon[1][0], 6);
        // The copy is made once: a second evaluation reuses it.
        var made = File.GetLastWriteTimeUtc(Path.Combine(output, "variants", "mirrored", "01-walker.mp4"));
        Assert.Equal(0, await EvalCommand.Create().Parse(["--truth", truth, "--config", config, "--out", output, "--variants", "mirrored"]).InvokeAsync());
        Assert.Equal(made, File.GetLastWriteTimeUtc(Path.Combine(output, "variants", "mirrored", "01-walker.mp4")));
    }

    [Fact]
    public async Task A_copy_is_made_of_the_stream_the_analysis_reads()
    {
        // The camera's stream, then a larger one, neither marked default: ffmpeg alone would copy the larger.
        var folder = TestPaths.TempFolder();
        var scene = Path.Combine(folder, "scene.mp4");
        SyntheticScene.Default.WriteVideo(scene);
        var clip = Path.Combine(folder, "two-streams.mkv");
        await Video.FfmpegTool.RunAsync("-i", scene, "-f", "lavfi", "-i", "testsrc=s=1280x720:r=25:d=2",
            "-map", "0:v", "-map", "1:v", "-c:v", "libx264", "-preset", "ultrafast", "-t", "2", "-disposition:v", "0", clip);
        var copy = Path.Combine(folder, "mirrored.mp4");

        Assert.True(await FootageVariants.MakeCopyAsync(clip, copy, FootageVariants.All.Single(v => v.Name == "mirrored"), CancellationToken.None));

        using var capture = new VideoCapture(copy);
        Assert.Equal((SyntheticScene.Default.Width, SyntheticScene.Default.Height), ((int)capture.FrameWidth, (int)capture.FrameHeight));
    }

    [Fact]
    public async Task The_swaying_copy_keeps_about_the_size_and_its_view_drifts_by_up_to_six_percent()
    {
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "scene.mp4");
        (SyntheticScene.Default with { Walkers = [] }).WriteVideo(clip);
        var copy = Path.Combine(folder, "swaying.mp4");

        Assert.True(await FootageVariants.MakeCopyAsync(clip, copy, FootageVariants.All.Single(v => v.Name == "swaying"), CancellationToken.None));

        using var capture = new VideoCapture(copy);
        var frames = new List<Mat>();
        using (var frame = new Mat())
            while (capture.Read(frame) && !frame.Empty())
                frames.Add(frame.CvtColor(ColorConversionCodes.BGR2GRAY));
        // About the source's size (each side rounded to an even number of pixels: zones are in image fractions).
        Assert.InRange(frames[0].Width, 634, 640);
        Assert.InRange(frames[0].Height, 354, 360);
        // Where the middle of the first frame's scene is found in each frame of the first 3 s (a full period).
        var middle = new Rect(120, 80, 400, 200);
        using var template = new Mat(frames[0], middle);
        var shifts = frames.Take(75).Select(f =>
        {
            using var scores = new Mat();
            Cv2.MatchTemplate(f, template, scores, TemplateMatchModes.CCoeffNormed);
            Cv2.MinMaxLoc(scores, out _, out _, out _, out Point best);
            return Math.Abs(best.X - middle.X);
        }).ToList();
        foreach (var f in frames) f.Dispose();
        // Starting half way, the crop moves 3 % of the source's width (19 px) each way, shown 1/0.94 larger.
        Assert.InRange(shifts.Max(), 15, 25);
    }

    [Fact]
    public async Task The_night_copy_has_no_colour_left()
    {
        var (clip, copies) = await CopiesOfTheSyntheticScene("night");

        Assert.True(MeanSaturation(clip) > 20);
        Assert.True(MeanSaturation(copies[0]) < 3);
    }

    [Fact]
    public async Task The_dim_copy_is_as_dark_as_the_underexposed_one_without_its_grain()
    {
        var (clip, copies) = await CopiesOfTheSyntheticScene("dim", "underexposed");

        var (original, darkened, grainy) = (Brightness(clip), Brightness(copies[0]), Brightness(copies[1]));
        Assert.True(darkened.Mean < original.Mean - 15, $"dim {darkened.Mean:0} vs {original.Mean:0}");
        Assert.InRange(darkened.Mean, grainy.Mean - 3, grainy.Mean + 3);
        // From one frame to the next, the grain changes every pixel; the dim copy changes no more than the original.
        Assert.True(darkened.Change <= original.Change + 0.5, $"dim {darkened.Change:0.0} vs original {original.Change:0.0}");
        Assert.True(grainy.Change > darkened.Change + 2, $"underexposed {grainy.Change:0.0} vs dim {darkened.Change:0.0}");
    }

    [Fact]
    public async Task The_low_frame_rate_copy_keeps_three_images_a_second_over_the_same_time()
    {
        var (clip, copies) = await CopiesOfTheSyntheticScene("low-frame-rate");

        var (originalRate, originalLength) = RateAndLength(clip);
        var (rate, length) = RateAndLength(copies[0]);
        Assert.True(originalRate > 3, $"the generated scene has {originalRate} images a second");
        Assert.Equal(3, rate, 2);
        // Same time span, so the truth's event times hold on the copy: to within one image of the copy.
        Assert.InRange(length, originalLength - 1 / 3.0, originalLength + 1 / 3.0);
    }

    private static (double Rate, double Seconds) RateAndLength(string video)
    {
        using var capture = new VideoCapture(video);
        var frames = 0;
        using (var frame = new Mat())
            while (capture.Read(frame) && !frame.Empty()) frames++;
        return (capture.Fps, frames / capture.Fps);
    }

    /// <summary>The generated scene and its copies made as these variants, in that order.</summary>
    private static async Task<(string Clip, string[] Copies)> CopiesOfTheSyntheticScene(params string[] variants)
    {
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "scene.mp4");
        SyntheticScene.Default.WriteVideo(clip);
        var copies = variants.Select(v => Path.Combine(folder, v + ".mp4")).ToArray();
        for (int i = 0; i < variants.Length; i++)
            Assert.True(await FootageVariants.MakeCopyAsync(clip, copies[i], Variant(variants[i]), CancellationToken.None));
        return (clip, copies);
    }

    /// <summary>Mean brightness of the first frame, and mean absolute change from it to the next.</summary>
    private static (double Mean, double Change) Brightness(string video)
    {
        using var capture = new VideoCapture(video);
        using var first = new Mat();
        using var second = new Mat();
        Assert.True(capture.Read(first) && capture.Read(second));
        using var a = first.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var b = second.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var change = new Mat();
        Cv2.Absdiff(a, b, change);
        return (a.Mean().Val0, change.Mean().Val0);
    }

    private static double MeanSaturation(string video)
    {
        using var capture = new VideoCapture(video);
        using var frame = new Mat();
        Assert.True(capture.Read(frame));
        using var hsv = frame.CvtColor(ColorConversionCodes.BGR2HSV);
        return hsv.Mean().Val1;
    }
}
