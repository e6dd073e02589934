using OpenCvSharp;
using Vigie.Alerts;
using Vigie.Cli.Commands;
using Vigie.Config;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

/// <summary>Detectors beside the main one (weapons, fire, smoke), run for real with <see cref="FireTestModel"/>.</summary>
public class ExtraDetectorTests
{
    private static readonly Scalar Orange = new(0, 80, 255), Grey = Scalar.All(128);

    private static ExtraDetectorConfig Slot(string model, double everyS = 0) => new()
    {
        Model = model,
        Format = "rtmdet",
        ClassNames = ["fire"],
        EveryS = everyS,
    };

    [Fact]
    public void The_model_sees_fire_on_an_orange_frame_and_nothing_on_a_grey_one()
    {
        using var fire = SceneCompiler.ExtraDetector(Slot(FireTestModel.Write(TestPaths.TempFolder())), 0);
        using var orange = new Mat(360, 640, MatType.CV_8UC3, Orange);
        using var grey = new Mat(360, 640, MatType.CV_8UC3, Grey);
        var sighting = Assert.Single(fire.Detect(orange, TimeSpan.Zero));
        Assert.Equal((Category.Fire, "fire"), (sighting.Category, sighting.Label));
        Assert.True(sighting.Score > 0.9, $"score {sighting.Score}");
        // The model's box, in its 640 × 640 letterboxed input, maps back to the frame's pixels.
        Assert.Equal(320, sighting.Box.Right, 1);
        Assert.Empty(fire.Detect(grey, TimeSpan.FromSeconds(0.2)));
    }

    [Fact]
    public void Between_runs_the_last_sightings_serve()
    {
        using var fire = SceneCompiler.ExtraDetector(Slot(FireTestModel.Write(TestPaths.TempFolder()), everyS: 1), 0);
        using var orange = new Mat(360, 640, MatType.CV_8UC3, Orange);
        using var grey = new Mat(360, 640, MatType.CV_8UC3, Grey);
        Assert.Single(fire.Detect(orange, TimeSpan.Zero));
        Assert.Single(fire.Detect(grey, TimeSpan.FromSeconds(0.6)));
        Assert.Empty(fire.Detect(grey, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Its_settings_are_checked()
    {
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(
            "extra_detectors: [{ format: yolo8, class_names: [person, car], category_map: { car: vehicle }, score_threshold: 2, every_s: -1 }]")).Errors;
        Assert.Contains("extra_detectors[0].model: is required: the path of an ONNX detector", errors);
        Assert.Contains("extra_detectors[0].format: 'yolo8' is not one of yolox, deimv2, rtmdet, picodet, nanodet", errors);
        Assert.Contains("extra_detectors[0].category_map.car: 'vehicle' is not weapon, fire or smoke", errors);
        Assert.Contains("extra_detectors[0].class_names: none of them is a weapon, fire or smoke: name them so, or map them with category_map", errors);
        Assert.Contains("extra_detectors[0].every_s: must be zero (every analysed frame) or a positive number of seconds", errors);
        Assert.Contains(errors, e => e.StartsWith("extra_detectors[0].score_threshold"));
        var mapped = ConfigLoader.Parse("extra_detectors: [{ model: f.onnx, class_names: [burning, revolver], category_map: { burning: fire, revolver: weapon } }]");
        Assert.Equal("weapon", mapped.ExtraDetectors[0].CategoryMap["revolver"]);
    }

    [Fact]
    public async Task A_weapon_models_detections_reach_the_rules_beside_the_main_detectors()
    {
        // The same test model read as a handgun detector: its one class is now "pistol" (a weapon by default). The
        // footage: the plaza's first frame under an orange light, so the main model still sees people and the
        // test model sees "red" everywhere.
        var images = Directory.CreateDirectory(Path.Combine(TestPaths.TempFolder(), "images")).FullName;
        using (var capture = new VideoCapture(TestPaths.Clip("pedestrians/vtest.avi")))
        using (var plaza = new Mat())
        using (var tinted = new Mat())
        {
            capture.Read(plaza);
            using var orange = new Mat(plaza.Size(), plaza.Type(), Orange);
            Cv2.AddWeighted(plaza, 0.6, orange, 0.4, 0, tinted);
            for (int i = 0; i < 5; i++) Cv2.ImWrite(Path.Combine(images, $"{i}.png"), tinted);
        }
        var config = ConfigLoader.Parse($$"""
            detector: { type: onnx, model: {{TestPaths.Model("yolox_nano.onnx")}} }
            extra_detectors: [{ model: {{FireTestModel.Write(TestPaths.TempFolder())}}, format: rtmdet, class_names: [pistol] }]
            cameras: [{ name: range, use_cases: { weapon: {} } }]
            """);
        var frames = new List<IReadOnlyList<Detection>>();
        await using (var prepared = await Vigie.Pipeline.AnalysisSetup.PrepareAsync(
                         new Vigie.Pipeline.AnalysisRequest(images, config), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
            await prepared.Pipeline.RunAsync(new Collect(frames), CancellationToken.None);
        Assert.NotEmpty(frames);
        Assert.Contains(frames, f => f.Any(d => d is { Category: Category.Weapon, Label: "pistol" }));
        // The main detector's people are still there beside it; the extra model adds nothing but its weapon.
        Assert.All(frames, f => Assert.Contains(f, d => d.Category == Category.Person));
        Assert.All(frames, f => Assert.Equal(1, f.Count(d => d.Category == Category.Weapon)));
    }

    private sealed class Collect(List<IReadOnlyList<Detection>> frames) : Vigie.Pipeline.IAnalysisObserver
    {
        public void OnFrameAnalysed(Vigie.Pipeline.AnalysedFrame frame) => frames.Add(frame.Detections);
    }

    [Fact]
    public async Task Analyze_raises_fire_when_the_model_sees_it_for_the_dwell_and_not_without_the_model()
    {
        // 2 s of a grey scene, then 4 s of a steady orange glow: flame-coloured but without flicker, so the
        // model-free cue stays silent and only the model can see it.
        var folder = TestPaths.TempFolder();
        var images = Directory.CreateDirectory(Path.Combine(folder, "images")).FullName;
        for (int i = 0; i < 30; i++)
        {
            using var image = new Mat(360, 640, MatType.CV_8UC3, i < 10 ? Grey : Orange);
            Cv2.ImWrite(Path.Combine(images, $"{i:D3}.png"), image);
        }
        var model = FireTestModel.Write(folder);
        async Task<List<EventLine>> Analyze(string fireDetector)
        {
            var config = Path.Combine(folder, $"scene{fireDetector.Length}.yaml");
            await File.WriteAllTextAsync(config,
                $"analysis: {{ images_fps: 5 }}\n{fireDetector}cameras:\n  - name: yard\n    use_cases: {{ fire: {{}} }}\n");
            var events = Path.Combine(folder, $"events{fireDetector.Length}.jsonl");
            var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(images, config, null, null, null, events, null, null, null, null, null),
                CancellationToken.None);
            Assert.Equal(0, code);
            return JsonLinesWriter.Read<EventLine>(events).ToList();
        }

        var alert = Assert.Single(await Analyze($"extra_detectors: [{{ model: {model}, format: rtmdet, class_names: [fire] }}]\n"));
        Assert.Equal("fire", alert.Kind);
        Assert.Equal(2, alert.StartS, 0.01);
        Assert.InRange(alert.RaisedS, 4, 4.3);
        Assert.Contains("fire seen by the fire model", alert.Detail);
        Assert.Empty(await Analyze(""));
    }
}
