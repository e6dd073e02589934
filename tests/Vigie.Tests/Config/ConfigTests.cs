using Vigie.Config;

namespace Vigie.Tests.Config;

public class ConfigTests
{
    private const string Valid = """
        version: 1
        analysis: { fps: 4 }
        detector: { type: onnx, model: /models/yolox_nano.onnx, format: yolox }
        cameras:
          - name: gate
            zones:
              - name: tracks
                polygon: [[0.1, 0.5], [0.9, 0.5], [0.9, 1.0], [0.1, 1.0]]
                schedule: [{ days: [sat, sun], from: "22:00", to: "06:00" }]
                use_cases:
                  intrusion: { classes: [person], dwell_s: 2 }
            lines:
              - { name: fence, from: [0.5, 0], to: [0.5, 1], forbidden: left_to_right }
        """;

    [Fact]
    public void A_valid_file_parses_with_defaults_filled_in()
    {
        var c = ConfigLoader.Parse(Valid);
        Assert.Equal(4, c.Analysis.Fps);
        Assert.Equal(1280, c.Analysis.MaxWidth);
        Assert.Equal("onnx", c.Detector.Type);
        var zone = Assert.Single(Assert.Single(c.Cameras).Zones);
        Assert.Equal(2, zone.UseCases.Intrusion!.DwellS);
        Assert.Equal(3, zone.UseCases.Intrusion.CooldownS);
        Assert.Equal("left_to_right", c.Cameras[0].Lines[0].Forbidden);
    }

    [Fact]
    public void A_polygon_with_two_points_names_its_path()
    {
        var text = """
            cameras:
              - name: a
                zones:
                  - { name: ok, polygon: [[0, 0], [1, 0], [1, 1]] }
                  - { name: bad, polygon: [[0, 0], [1, 1]] }
            """;
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text));
        Assert.Equal("cameras[0].zones[1].polygon: needs at least 3 points, has 2", Assert.Single(e.Errors));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var text = """
            analysis: { fps: -1 }
            detector: { type: onnx, format: ssd }
            cameras:
              - name: a
                zones:
                  - name: z
                    polygon: [[0, 0], [1.5, 0], [1, 1]]
                    use_cases: { intrusion: { classes: [person, ufo] } }
                lines:
                  - { name: "l\0", from: [0.2, 0.2], to: [0.2, 0.2], forbidden: sideways }
              - name: a
            """;
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text)).Errors;
        Assert.Contains(errors, e => e.StartsWith("analysis.fps:"));
        Assert.Contains(errors, e => e.StartsWith("detector.format: 'ssd'"));
        Assert.Contains(errors, e => e.StartsWith("detector.model: is required"));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].zones[0].polygon[1]:") && e.Contains("normalised"));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].zones[0].use_cases.intrusion.classes: 'ufo'"));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].lines[0].to: must differ"));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].lines[0].forbidden: 'sideways'"));
        Assert.Contains(errors, e => e.StartsWith("cameras[1].name: 'a' is used by another camera"));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].lines[0].name: must not contain control characters"));
    }

    [Theory]
    [InlineData("", true, true)]
    [InlineData("", false, false)]
    [InlineData("static_objects: false", true, false)]
    [InlineData("static_objects: true", false, true)]
    public void Still_objects_are_watched_unless_told_otherwise_where_the_detector_finds_people(string setting, bool peopleDetected, bool watched)
    {
        var camera = Assert.Single(ConfigLoader.Parse($"cameras:\n  - name: a\n    use_cases: {{ abandoned_object: {{ {setting} }} }}\n").Cameras);
        var rule = Assert.IsType<Vigie.Analytics.AbandonedObject>(Assert.Single(SceneCompiler.Rules(camera, TimeZoneInfo.Utc, peopleDetected: peopleDetected)));
        Assert.Equal(watched, rule.NeedsStaticRegions);
    }

    [Fact]
    public void Still_object_sizes_must_be_shares_of_the_image_in_order()
    {
        var text = """
            cameras:
              - name: a
                use_cases: { abandoned_object: { static_objects: true, min_object_area: 0.1, max_object_area: 0.05 } }
              - name: b
                use_cases: { abandoned_object: { min_object_area: 0, max_object_area: 2 } }
            """;
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text)).Errors;
        Assert.Contains("cameras[0].use_cases.abandoned_object.max_object_area: must be larger than min_object_area (0.1)", errors);
        Assert.Contains(errors, e => e.StartsWith("cameras[1].use_cases.abandoned_object.min_object_area: must be a share"));
        Assert.Contains(errors, e => e.StartsWith("cameras[1].use_cases.abandoned_object.max_object_area: must be a share"));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void An_unknown_key_is_named_with_its_path()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("analysis:\n  fsp: 5\n"));
        Assert.StartsWith("analysis.fsp (line 2, column 3): unknown key 'fsp'", Assert.Single(e.Errors));
    }

    [Theory]
    [InlineData("analysis:\n  fps: fast\n", "analysis.fps (line 2, column 8): 'fast' is not a number")]
    [InlineData("detector: { type: onnx, trim_padding: maybe }\n", "detector.trim_padding (line 1, column 39): 'maybe' is not true or false")]
    [InlineData("cameras:\n  - name: a\n    zones:\n      - name: z\n        polygon: [[0, 0], [1, x], [1, 1]]\n",
        "cameras[0].zones[0].polygon[1][1] (line 5, column 31): 'x' is not a number")]
    [InlineData("{ \"detector\": { \"threads\": \"two\" } }", "detector.threads (line 1, column 28): 'two' is not a number")]
    public void A_wrongly_typed_value_is_named_with_its_path_its_line_and_what_was_expected(string text, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text));
        Assert.Equal(expected, Assert.Single(e.Errors));
    }

    [Fact]
    public void Collinear_polygons_and_bad_schedules_are_rejected()
    {
        var text = """
            cameras:
              - name: a
                zones:
                  - name: z
                    polygon: [[0, 0], [0.5, 0.5], [1, 1]]
                    schedule: [{ days: [funday], from: "25:00", to: "7" }]
            """;
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text)).Errors;
        Assert.Contains("cameras[0].zones[0].polygon: has no area (its points are collinear or repeated)", errors);
        Assert.Contains(errors, e => e.StartsWith("cameras[0].zones[0].schedule[0].days: 'funday'"));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].zones[0].schedule[0].from:"));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].zones[0].schedule[0].to:"));
    }

    [Fact]
    public void Movement_use_case_settings_are_checked()
    {
        var text = """
            cameras:
              - name: a
                calibration: { image: [[0, 0], [0.5, 0.5], [1, 1], [0, 1]], ground_m: [[0, 0], [1, 0], [1, 1], [0, 1]] }
                zones:
                  - name: z
                    polygon: [[0, 0], [1, 0], [1, 1]]
                    use_cases:
                      wrong_way: { allowed_direction: [0, 0] }
                      crowd_density: { dwell_s: 2 }
              - name: b
                use_cases:
                  crowd_density: { max_density: 2 }
                  crowd_movement: { min_people: 0 }
            """;
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text)).Errors;
        Assert.Contains("cameras[0].zones[0].use_cases.wrong_way.allowed_direction: has zero length: it gives no direction", errors);
        Assert.Contains("cameras[0].zones[0].use_cases.crowd_density: needs max_persons or max_density", errors);
        Assert.Contains("cameras[0].calibration.image: three of the points are collinear: they cannot define the ground plane", errors);
        Assert.Contains(errors, e => e.StartsWith("cameras[1].use_cases.crowd_density.max_density: needs the camera's calibration"));
        Assert.Contains("cameras[1].use_cases.crowd_movement.min_people: must be at least one person", errors);
    }

    [Fact]
    public void Tiles_are_checked()
    {
        Assert.Equal([3, 2], ConfigLoader.Parse("detector: { type: onnx, model: m.onnx, tiles: [3, 2] }").Detector.Tiles);
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("detector: { type: onnx, model: m.onnx, tiles: [2, 0], tile_overlap: 0.7 }")).Errors;
        Assert.Contains("detector.tiles: columns and rows must be 1 to 8", errors);
        Assert.Contains("detector.tile_overlap: must be between 0 and 0.5", errors);
        var motion = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("detector: { tiles: [2, 2] }")).Errors;
        Assert.Contains("detector.tiles: applies to a model (detector.type onnx), not to the motion detector", motion);
        var three = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("detector: { type: onnx, model: m.onnx, tiles: [2, 2, 2] }")).Errors;
        Assert.Contains("detector.tiles: needs exactly two numbers: [columns, rows]", three);
        var counting = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("detector: { type: onnx, model: m.onnx, count_tiles: [9, 2], count_every_s: 0 }")).Errors;
        Assert.Contains("detector.count_tiles: columns and rows must be 1 to 8", counting);
        Assert.Contains("detector.count_every_s: must be more than 0 seconds", counting);
        var score = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("detector: { type: onnx, model: m.onnx, count_score_threshold: 1.5 }")).Errors;
        Assert.Contains("detector.count_score_threshold: 1.5 is outside 0..1", score);
    }

    [Theory]
    [InlineData("format: yolox", 0.2)]
    [InlineData("format: deimv2", 0.3)]
    [InlineData("format: yolox, score_threshold: 0.6", 0.4)]
    [InlineData("format: deimv2, count_score_threshold: 0.25", 0.25)]
    public void The_counting_pass_counts_people_from_two_thirds_of_the_score_threshold_unless_told(string settings, double expected) =>
        Assert.Equal(expected, SceneCompiler.CountScoreThreshold(ConfigLoader.Parse($"detector: {{ type: onnx, model: m.onnx, {settings} }}").Detector), 6);

    [Fact]
    public void A_crowd_counter_is_checked()
    {
        var ok = ConfigLoader.Parse("crowd_counter: { model: dm.onnx }").CrowdCounter!;
        Assert.Equal([640, 360], ok.InputSize);
        Assert.Equal(1, ok.EveryS);
        Assert.Null(ConfigLoader.Parse("cameras: [{ name: a }]").CrowdCounter);
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("crowd_counter: { input_size: [640, 350], every_s: -1, threads: 0 }")).Errors;
        Assert.Contains("crowd_counter.model: is required: the path of a density-map ONNX model", errors);
        Assert.Contains("crowd_counter.input_size: must be multiples of 8, at least 32 pixels", errors);
        Assert.Contains("crowd_counter.every_s: must be zero (every analysed frame) or a positive number of seconds", errors);
        Assert.Contains("crowd_counter.threads: must be at least 1", errors);
    }

    [Fact]
    public void What_the_motion_detector_cannot_do_depends_on_the_use_cases_and_a_crowd_counter()
    {
        string[] asked = ["intrusion", "person_down", "crowd_density", "abandoned_object", "crowd_movement"];
        var motion = ConfigLoader.Parse("cameras: [{ name: a }]");
        var (blind, limited) = UseCaseScope.WithoutAModel(motion, asked);
        Assert.Equal(["person_down", "crowd_density"], blind);
        Assert.Equal(["abandoned_object", "crowd_movement"], limited);
        var counted = ConfigLoader.Parse("crowd_counter: { model: dm.onnx }");
        Assert.Equal(["person_down"], UseCaseScope.WithoutAModel(counted, asked).Blind);
        Assert.Null(UseCaseScope.WarningWithoutAModel(motion, ["intrusion", "wrong_way", "fire"]));
        Assert.EndsWith("crowd_movement takes any moving things, cars too, for its crowd. Pass --model FILE (see docs/MODELS.md).",
            UseCaseScope.WarningWithoutAModel(motion, ["crowd_movement"]));
        var model = ConfigLoader.Parse("detector: { type: onnx, model: m.onnx }");
        Assert.Null(UseCaseScope.WarningWithoutAModel(model, asked));
    }

    [Fact]
    public void A_one_camera_copy_keeps_every_shared_setting()
    {
        var config = ConfigLoader.Parse(
            "analysis: { fps: 3 }\ndetector: { type: onnx, model: m.onnx }\ncrowd_counter: { model: dm.onnx }\n" +
            "extra_detectors: [{ model: f.onnx, class_names: [fire] }]\ncameras: [{ name: a }, { name: b }]\n");
        var b = config.WithOnlyCamera(config.Cameras[1]);
        Assert.Equal(["b"], b.Cameras.Select(c => c.Name));
        Assert.Equal((3.0, "m.onnx", "dm.onnx", "f.onnx"), (b.Analysis.Fps, b.Detector.Model, b.CrowdCounter!.Model, b.ExtraDetectors.Single().Model));
        Assert.Equal(2, config.Cameras.Count);
    }

    [Fact]
    public void Json_is_accepted_too()
    {
        var c = ConfigLoader.Parse("""{"analysis": {"fps": 2}, "cameras": [{"name": "x"}]}""");
        Assert.Equal(2, c.Analysis.Fps);
    }

    [Fact]
    public void Relative_model_and_source_paths_resolve_from_the_config_folder()
    {
        var folder = TestPaths.TempFolder();
        var path = Path.Combine(folder, "scene.yaml");
        File.WriteAllText(path, "detector: { type: onnx, model: models/m.onnx }\ncameras: [{ name: a, source: clips/c.mp4 }]\n");
        var c = ConfigLoader.LoadFile(path);
        Assert.Equal(Path.Combine(folder, "models", "m.onnx"), c.Detector.Model);
        Assert.Equal(Path.Combine(folder, "clips", "c.mp4"), c.Cameras[0].Source);
    }

    [Fact]
    public void The_documented_schema_is_the_generated_one()
    {
        var documented = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "scene.schema.json"));
        Assert.Equal(SchemaGenerator.Generate(), documented);
    }

    [Fact]
    public void The_schema_describes_fields_and_rejects_unknown_keys()
    {
        var schema = SchemaGenerator.Generate();
        Assert.Contains("\"dwell_s\"", schema);
        Assert.Contains("How long an object must stay in the zone", schema);
        Assert.Contains("\"additionalProperties\": false", schema);
        Assert.Contains("\"left_to_right\"", schema);
    }

    [Fact]
    public void Shipped_sample_configs_are_valid()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "samples"), "*.yaml"))
            ConfigLoader.Parse(File.ReadAllText(file), file);
    }
}
