using OpenCvSharp;
using Vigie.Alerts;
using Vigie.Cli.Commands;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

/// <summary>The crowd-counting model slot, with a real ONNX model written by <see cref="DensityMapModel"/>.</summary>
public class CrowdCounterTests
{
    internal const int Side = 16;

    internal static string Model(IReadOnlyList<long>? fixedInput = null)
    {
        var path = Path.Combine(TestPaths.TempFolder(), "density.onnx");
        DensityMapModel.Write(path, Side, fixedInput);
        return path;
    }

    /// <summary>A dark frame with white squares ("people") of <paramref name="side"/> pixels at the given top-left corners.</summary>
    internal static Mat Frame(int width, int height, int side, IEnumerable<(int X, int Y)> people)
    {
        var frame = new Mat(height, width, MatType.CV_8UC3, new Scalar(50, 60, 70));
        foreach (var (x, y) in people) frame.Rectangle(new Rect(x, y, side, side), Scalar.White, -1);
        return frame;
    }

    // Eight people on the left half, four on the right, on the 8-pixel grid of the map.
    internal static readonly (int X, int Y)[] Twelve =
        [(16, 40), (64, 40), (112, 96), (200, 200), (256, 296), (32, 320), (144, 232), (280, 16),
         (400, 40), (480, 160), (560, 296), (600, 96)];

    [Fact]
    public void The_density_map_sums_to_the_people_in_the_frame_and_in_a_zone()
    {
        using var counter = new CrowdCounter(new CrowdCounterOptions(Model(), 640, 360, 1, TimeSpan.FromSeconds(1)));
        using var frame = Frame(640, 360, Side, Twelve);
        var map = counter.Count(frame, TimeSpan.FromSeconds(3));

        Assert.Equal((80, 45), (map.Columns, map.Rows));
        Assert.Equal(3, map.Time.TotalSeconds);
        Assert.Equal(12, map.Total, 0.05);
        Point2[] leftHalf = [new(0, 0), new(0.5f, 0), new(0.5f, 1), new(0, 1)];
        Assert.Equal(8, map.Sum(map.CellsIn(leftHalf)), 0.05);
        using var empty = Frame(640, 360, Side, []);
        Assert.Equal(0, counter.Count(empty, TimeSpan.Zero).Total, 0.001);
    }

    [Fact]
    public void A_frame_of_another_size_is_resized_to_the_model_input()
    {
        using var counter = new CrowdCounter(new CrowdCounterOptions(Model(), 640, 360, 1, TimeSpan.FromSeconds(1)));
        // Twice the input size, people twice as large: the same twelve after resizing.
        using var frame = Frame(1280, 720, 2 * Side, Twelve.Select(p => (2 * p.X, 2 * p.Y)));
        Assert.Equal(12, counter.Count(frame, TimeSpan.Zero).Total, 0.1);
    }

    [Fact]
    public void A_model_with_a_fixed_input_names_the_size_to_configure()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            new CrowdCounter(new CrowdCounterOptions(Model([1, 3, 360, 640]), 320, 192, 1, TimeSpan.Zero)));
        Assert.Contains("set crowd_counter.input_size to [640, 360]", e.Message);
        using var fits = new CrowdCounter(new CrowdCounterOptions(Model([1, 3, 360, 640]), 640, 360, 1, TimeSpan.Zero));
    }

    [Fact]
    public void A_model_that_refuses_the_configured_size_is_caught_at_start_with_the_setting_to_change()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "one-size.onnx");
        DensityMapModel.Write(path, Side, onlyMap: [45, 80]);
        using (var fits = new CrowdCounter(new CrowdCounterOptions(path, 640, 360, 1, TimeSpan.Zero)))
        using (var frame = Frame(640, 360, Side, Twelve))
        {
            var map = fits.Count(frame, TimeSpan.Zero);
            Assert.Equal((80, 45), (map.Columns, map.Rows));
        }
        var e = Assert.Throws<InvalidDataException>(() => new CrowdCounter(new CrowdCounterOptions(path, 320, 192, 1, TimeSpan.Zero)));
        Assert.Contains("does not take a 320x192 input (crowd_counter.input_size)", e.Message);
    }

    [Fact]
    public void A_detector_is_not_a_crowd_counter()
    {
        foreach (var detector in new[] { "deimv2_femto_coco.onnx", "yolox_nano.onnx" })
        {
            var e = Assert.Throws<InvalidDataException>(() =>
                new CrowdCounter(new CrowdCounterOptions(TestPaths.Model(detector), 416, 416, 1, TimeSpan.Zero)));
            Assert.Contains("is not a crowd-counting model", e.Message);
        }
    }

    [Fact]
    public async Task Analyze_counts_a_crowd_the_motion_detector_cannot_separate_and_alerts_on_it()
    {
        // Ten images at 2 images/s: 3 people for 2 s, then 20 packed shoulder to shoulder (one blob for the motion detector).
        var folder = TestPaths.TempFolder();
        var images = Directory.CreateDirectory(Path.Combine(folder, "images")).FullName;
        var packed = Enumerable.Range(0, 20).Select(i => (200 + 16 * (i % 10), 160 + 16 * (i / 10))).ToList();
        for (int i = 0; i < 10; i++)
        {
            using var image = Frame(640, 360, Side, i < 4 ? Twelve.Take(3) : packed);
            Cv2.ImWrite(Path.Combine(images, $"{i:D3}.png"), image);
        }
        var model = Model();
        var config = Path.Combine(folder, "crowd.yaml");
        await File.WriteAllTextAsync(config, $"""
            analysis: {"{"} images_fps: 2 {"}"}
            crowd_counter: {"{"} model: {Path.GetFileName(model)}, input_size: [640, 360], every_s: 0 {"}"}
            cameras:
              - name: gate
                use_cases: {"{"} crowd_density: {"{"} max_persons: 10, dwell_s: 1 {"}"} {"}"}
            """);
        File.Move(model, Path.Combine(folder, Path.GetFileName(model)));
        var events = Path.Combine(folder, "events.jsonl");
        var metrics = Path.Combine(folder, "metrics.jsonl");

        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(images, config, null, null, null, events, null, null, null, null, null)
            { Metrics = metrics }, CancellationToken.None);

        Assert.Equal(0, code);
        var counts = JsonLinesWriter.Read<MeasurementLine>(metrics).Where(m => m.Name == "persons").ToList();
        Assert.Equal(3, counts.First(m => m.TimeS == 1).Value, 0.2);
        Assert.Equal(20, counts.Last().Value, 0.2);
        var alert = Assert.Single(JsonLinesWriter.Read<EventLine>(events), e => e.Kind == "crowd_density");
        Assert.Equal(2, alert.StartS, 0.01);
        Assert.Contains("20 persons (limit 10)", alert.Detail);
    }
}
