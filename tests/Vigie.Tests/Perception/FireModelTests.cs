using OpenCvSharp;
using Vigie.Alerts;
using Vigie.Cli.Commands;
using Vigie.Config;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

/// <summary>The fire/smoke detector model slot, run for real with <see cref="FireTestModel"/>.</summary>
public class FireModelTests
{
    private static readonly Scalar Orange = new(0, 80, 255), Grey = Scalar.All(128);

    private static FireDetectorConfig Slot(string model, double everyS = 0) => new()
    {
        Model = model,
        Format = "rtmdet",
        ClassNames = ["fire"],
        EveryS = everyS,
    };

    [Fact]
    public void The_model_sees_fire_on_an_orange_frame_and_nothing_on_a_grey_one()
    {
        using var fire = SceneCompiler.FireModel(Slot(FireTestModel.Write(TestPaths.TempFolder())));
        using var orange = new Mat(360, 640, MatType.CV_8UC3, Orange);
        using var grey = new Mat(360, 640, MatType.CV_8UC3, Grey);
        var sighting = Assert.Single(fire.Sightings(orange, TimeSpan.Zero));
        Assert.Equal((Category.Fire, "fire"), (sighting.Category, sighting.Label));
        Assert.True(sighting.Score > 0.9, $"score {sighting.Score}");
        // The model's box, in its 640 × 640 letterboxed input, maps back to the frame's pixels.
        Assert.Equal(320, sighting.Box.Right, 1);
        Assert.Empty(fire.Sightings(grey, TimeSpan.FromSeconds(0.2)));
    }

    [Fact]
    public void Between_runs_the_last_sightings_serve()
    {
        using var fire = SceneCompiler.FireModel(Slot(FireTestModel.Write(TestPaths.TempFolder()), everyS: 1));
        using var orange = new Mat(360, 640, MatType.CV_8UC3, Orange);
        using var grey = new Mat(360, 640, MatType.CV_8UC3, Grey);
        Assert.Single(fire.Sightings(orange, TimeSpan.Zero));
        Assert.Single(fire.Sightings(grey, TimeSpan.FromSeconds(0.6)));
        Assert.Empty(fire.Sightings(grey, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Its_settings_are_checked()
    {
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(
            "fire_detector: { format: yolo8, class_names: [person, car], category_map: { car: weapon }, score_threshold: 2, every_s: -1 }")).Errors;
        Assert.Contains("fire_detector.model: is required: the path of a fire/smoke ONNX detector", errors);
        Assert.Contains("fire_detector.format: 'yolo8' is not one of yolox, deimv2, rtmdet, picodet, nanodet", errors);
        Assert.Contains("fire_detector.category_map.car: 'weapon' is not fire or smoke", errors);
        Assert.Contains("fire_detector.class_names: none of them is fire or smoke: name them so, or map them with category_map", errors);
        Assert.Contains("fire_detector.every_s: must be zero (every analysed frame) or a positive number of seconds", errors);
        Assert.Contains(errors, e => e.StartsWith("fire_detector.score_threshold"));
        var mapped = ConfigLoader.Parse("fire_detector: { model: f.onnx, class_names: [burning, vapour], category_map: { burning: fire, vapour: smoke } }");
        Assert.Equal("fire", mapped.FireDetector!.CategoryMap["burning"]);
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

        var alert = Assert.Single(await Analyze($"fire_detector: {{ model: {model}, format: rtmdet, class_names: [fire] }}\n"));
        Assert.Equal("fire", alert.Kind);
        Assert.Equal(2, alert.StartS, 0.01);
        Assert.InRange(alert.RaisedS, 4, 4.3);
        Assert.Contains("fire seen by the fire model", alert.Detail);
        Assert.Empty(await Analyze(""));
    }
}
