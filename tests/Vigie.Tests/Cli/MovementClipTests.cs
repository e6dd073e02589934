using Vigie.Alerts;
using Vigie.Cli.Commands;
using Vigie.Evaluation;

namespace Vigie.Tests.Cli;

/// <summary>Wrong way and crowd density end to end on real and synthetic footage.</summary>
public class MovementClipTests
{
    /// <summary>`vigie analyze` on a clip with a scene given as text; its events.</summary>
    internal static async Task<List<EventLine>> Analyze(string clip, string configText, string? model = null)
    {
        var folder = TestPaths.TempFolder();
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, configText);
        var events = Path.Combine(folder, "events.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(clip, config, model, null, null, events, null, null, null, null, null),
            CancellationToken.None);
        Assert.Equal(0, code);
        return JsonLinesWriter.Read<EventLine>(events).ToList();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("yolox_nano.onnx")]
    public async Task Cars_driving_down_a_one_way_up_lane_are_caught_inside_their_true_intervals(string? model)
    {
        var truth = RealClipTests.GroundTruth("wrong_way/parking_lane_topdown_cars.mp4");
        var intervals = truth.GetProperty("events").EnumerateArray()
            .Select(e => (Start: e.GetProperty("start_s").GetDouble(), End: e.GetProperty("end_s").GetDouble())).ToList();
        var events = await Analyze(TestPaths.Clip("wrong_way/parking_lane_topdown_cars.mp4"), """
            cameras:
              - name: lane
                use_cases:
                  wrong_way: { allowed_direction: [0, -1] }
            """, model is null ? null : TestPaths.Model(model));
        var alerts = events.Where(e => e.Kind == "wrong_way").ToList();
        Assert.Equal(intervals.Count, alerts.Count);
        foreach (var (start, end) in intervals)
            Assert.Single(alerts, a => a.RaisedS >= start - 1 && a.RaisedS <= end + 2);
    }

    [Fact]
    public async Task Played_backwards_the_car_park_has_the_other_two_cars_going_the_wrong_way()
    {
        // The same real cars, reversed in time: the two that drove up the lane (about 6-8 s and 16-19 s) now
        // drive down it, the two annotated ones drive up. From above, YOLOX calls the red car a bus, then a
        // suitcase: one thing all the same.
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "reversed.mp4");
        await Video.FfmpegTool.RunAsync("-i", TestPaths.Clip("wrong_way/parking_lane_topdown_cars.mp4"), "-vf", "reverse", "-an", "-c:v", "libx264",
            "-preset", "veryfast", "-crf", "18", clip);
        var events = await Analyze(clip, """
            cameras:
              - name: lane
                use_cases:
                  wrong_way: { allowed_direction: [0, -1] }
            """, TestPaths.Model("yolox_nano.onnx"));
        var alerts = events.Where(e => e.Kind == "wrong_way").ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Single(alerts, a => a.RaisedS is >= 11 and <= 15.5);
        Assert.Single(alerts, a => a.RaisedS is >= 21.5 and <= 25.5);
    }

    [Fact]
    public async Task Walkers_in_both_directions_trigger_only_in_the_zone_whose_direction_they_break()
    {
        var folder = TestPaths.TempFolder();
        SampleCommand.Write(folder);
        // Walker 1 goes right along the bottom, walker 2 goes left higher up; both zones allow rightwards.
        var events = await Analyze(Path.Combine(folder, "synthetic.mp4"), """
            cameras:
              - name: synthetic
                zones:
                  - name: bottom
                    polygon: [[0, 0.7], [1, 0.7], [1, 1], [0, 1]]
                    use_cases: { wrong_way: { allowed_direction: [1, 0] } }
                  - name: top
                    polygon: [[0, 0.35], [1, 0.35], [1, 0.7], [0, 0.7]]
                    use_cases: { wrong_way: { allowed_direction: [1, 0] } }
            """);
        var alert = Assert.Single(events, e => e.Kind == "wrong_way");
        Assert.Equal("top", alert.Where);
    }

    [Fact]
    public async Task A_calm_plaza_under_its_people_limit_raises_no_crowd_alert()
    {
        var events = await Analyze(TestPaths.Clip("pedestrians/vtest.avi"), """
            cameras:
              - name: plaza
                use_cases:
                  crowd_density: { max_persons: 80 }
            """, TestPaths.Model("yolox_nano.onnx"));
        Assert.DoesNotContain(events, e => e.Kind == "crowd_density");
    }

    [Fact]
    public async Task The_dense_shopping_street_exceeds_a_30_person_limit()
    {
        var events = await Analyze(TestPaths.Clip("crowd_density/oxford_street_dense_crowd.mp4"), """
            cameras:
              - name: street
                use_cases:
                  crowd_density: { max_persons: 30 }
            """, TestPaths.Model("yolox_nano.onnx"));
        Assert.Contains(events, e => e.Kind == "crowd_density" && e.Detail.Contains("limit 30"));
    }
}

/// <summary>Crowd movement on generated footage with a known onset, and on calm real footage.</summary>
public class CrowdMovementClipTests
{
    /// <summary>
    /// Generates walkers 16 × 46 px strolling from <c>start(i)</c> who break into a run at <paramref name="onset"/>,
    /// analyses the footage with crowd movement on the whole image (motion detector) and returns its one alert.
    /// </summary>
    private static async Task<EventLine> RunningCrowdAlertAsync(int people, TimeSpan onset, TimeSpan length, int seed,
        Func<int, Vigie.Geometry.Point2> start, Vigie.Geometry.Point2 run)
    {
        var rng = new Random(seed);
        var walkers = Enumerable.Range(0, people).Select(i =>
        {
            var stroll = new Vigie.Geometry.Point2((float)(rng.NextDouble() - 0.5) * 6, (float)(rng.NextDouble() - 0.5) * 4);
            return new Vigie.Video.Walker(TimeSpan.Zero, start(i), stroll, 16, 46) { ChangeAt = onset, VelocityAfter = run };
        }).ToList();
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "run.mp4");
        new Vigie.Video.SyntheticScene(640, 360, 25, length, walkers).WriteVideo(clip);
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, "cameras:\n  - name: square\n    use_cases:\n      crowd_movement: {}\n");
        var events = Path.Combine(folder, "events.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(clip, config, null, null, null, events, null, null, null, null, null), CancellationToken.None);
        Assert.Equal(0, code);
        return Assert.Single(JsonLinesWriter.Read<EventLine>(events), e => e.Kind == "crowd_movement");
    }

    [Fact]
    public async Task A_generated_crowd_that_starts_running_raises_one_alert_shortly_after_the_onset()
    {
        var onset = TimeSpan.FromSeconds(20);
        var alert = await RunningCrowdAlertAsync(24, onset, TimeSpan.FromSeconds(26), seed: 9, i => new(60 + 22 * i, 200 + 40 * (i % 4)), new(160, -20));
        Assert.InRange(alert.StartS, onset.TotalSeconds - 0.3, onset.TotalSeconds + 0.5);
        Assert.InRange(alert.RaisedS - onset.TotalSeconds, 0, 2);
    }

    [Fact]
    public async Task A_generated_crowd_running_two_seconds_after_the_camera_starts_is_caught_without_a_learned_normal()
    {
        var onset = TimeSpan.FromSeconds(2);
        var alert = await RunningCrowdAlertAsync(8, onset, TimeSpan.FromSeconds(6), seed: 4, i => new(20 + 40 * i, 150 + 90 * (i % 2)), new(120, 10));
        Assert.InRange(alert.StartS, onset.TotalSeconds, onset.TotalSeconds + 1.2);
        Assert.InRange(alert.RaisedS - onset.TotalSeconds, 0, 2.5);
        Assert.Contains("running", alert.Detail);
    }

    [Theory]
    [InlineData("yolox_nano.onnx", "yolox")]
    [InlineData("deimv2_femto_coco.onnx", "deimv2")]
    public async Task Real_people_breaking_into_a_run_raise_one_alert_from_their_onset(string model, string format)
    {
        // The plaza's walkers, played three times faster from 5 s on: real people and detections, a crowd that
        // breaks into a run (three times walking pace) at an exactly known moment.
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "plaza-run.mp4");
        await Video.FfmpegTool.RunAsync("-i", TestPaths.Clip("pedestrians/vtest.avi"), "-vf", "setpts='if(lt(T,5),PTS,5/TB+(PTS-5/TB)/3)'",
            "-r", "25", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", clip);
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, $$"""
            detector: { type: onnx, model: {{TestPaths.Model(model)}}, format: {{format}} }
            cameras:
              - name: plaza
                use_cases: { crowd_movement: {} }
            """);
        var events = Path.Combine(folder, "events.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(clip, config, null, null, null, events, null, null, null, null, null),
            CancellationToken.None);
        Assert.Equal(0, code);
        var alert = Assert.Single(JsonLinesWriter.Read<EventLine>(events), e => e.Kind == "crowd_movement");
        Assert.InRange(alert.StartS, 5.0, 5.5);
        Assert.InRange(alert.RaisedS - 5.0, 0, 2);
    }

    [Theory]
    [InlineData("pedestrians/vtest.avi", null)]
    [InlineData("pedestrians/vtest.avi", "yolox_nano.onnx")]
    [InlineData("intrusion/table_zone_one_by_one.mp4", null)]
    // A car drives into an empty car park: sudden, but nobody in it. The motion detector, which cannot tell
    // a car from a person, takes it for a crowd (docs/EVALUATION.md); a model does not.
    [InlineData("wrong_way/parking_lane_topdown_cars.mp4", "yolox_nano.onnx")]
    public async Task Normal_walking_raises_no_crowd_movement(string clip, string? model)
    {
        var folder = TestPaths.TempFolder();
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, "cameras:\n  - name: cam\n    use_cases:\n      crowd_movement: {}\n");
        var events = Path.Combine(folder, "events.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(TestPaths.Clip(clip), config, model is null ? null : TestPaths.Model(model),
            null, null, events, null, null, null, null, null), CancellationToken.None);
        Assert.Equal(0, code);
        Assert.DoesNotContain(JsonLinesWriter.Read<EventLine>(events), e => e.Kind == "crowd_movement");
    }
}

/// <summary>Person on the ground on real footage.</summary>
public class PersonDownClipTests
{
    private static Task<List<EventLine>> Analyze(string clip) => AnalyzeFile(TestPaths.Clip(clip), "deimv2_femto_coco.onnx", "deimv2");

    private static async Task<List<EventLine>> AnalyzeFile(string video, string model, string format, string moreDetectorSettings = "")
    {
        var folder = TestPaths.TempFolder();
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, $$"""
            detector: { type: onnx, model: {{TestPaths.Model(model)}}, format: {{format}}{{moreDetectorSettings}} }
            cameras:
              - name: cam
                use_cases: { person_down: {}, weapon: {} }
            """);
        var events = Path.Combine(folder, "events.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(video, config, null, null, null, events, null, null, null, null, null), CancellationToken.None);
        Assert.Equal(0, code);
        return JsonLinesWriter.Read<EventLine>(events).ToList();
    }

    [Theory]
    // At 60 % of its size, YOLOX-Nano misses the man of room_fall07 lying across the floor, or scores him 0.2; with the
    // spot turned a quarter, 0.85.
    [InlineData("fall/room_fall07.mp4", "smaller", true)]
    [InlineData("fall/room_fall07.mp4", "smaller", false)]
    // On the night-mode copy (black and white, grain) it loses the woman of room_fall05 as she starts to collapse, her
    // box barely smaller, and never finds her lying by itself: looked for where she was lost, she is found, and her
    // track carries on to the floor.
    [InlineData("fall/room_fall05.mp4", "night", true)]
    [InlineData("fall/room_fall05.mp4", "night", false)]
    public async Task Falls_the_first_look_misses_are_found_by_looking_again_at_the_spot_turned_a_quarter(string clip, string variant, bool lyingLook)
    {
        var copy = Path.Combine(TestPaths.TempFolder(), variant + ".mp4");
        await FootageVariants.MakeCopyAsync(TestPaths.Clip(clip), copy, FootageVariants.All.Single(v => v.Name == variant), CancellationToken.None);
        var falls = (await AnalyzeFile(copy, "yolox_nano.onnx", "yolox", lyingLook ? "" : ", lying_look: false")).Where(e => e.Kind == "person_down").ToList();
        if (!lyingLook)
        {
            Assert.Empty(falls);
            return;
        }
        var truth = RealClipTests.GroundTruth(clip).GetProperty("events")[0].GetProperty("start_s").GetDouble();
        Assert.InRange(Assert.Single(falls).RaisedS, truth, truth + 3);
    }

    [Theory]
    [InlineData("fall/room_fall07.mp4")] // falls backwards, lies across the floor
    [InlineData("fall/room_fall01.mp4")] // walks out to the side edge, falls towards the camera
    [InlineData("fall/room_fall05.mp4")] // collapses in the foreground
    public async Task People_falling_in_a_room_are_reported_on_the_ground(string clip)
    {
        var truth = RealClipTests.GroundTruth(clip).GetProperty("events")[0].GetProperty("start_s").GetDouble();
        var alert = Assert.Single(await Analyze(clip), e => e.Kind == "person_down");
        Assert.InRange(alert.RaisedS, truth - 1, truth + 3);
    }

    [Fact]
    public async Task A_man_collapsing_in_a_courtyard_is_reported_though_the_people_helping_him_hide_him()
    {
        // DEIMv2 scores him low and loses his box now and then from 4.6 s, when bystanders crouch around him;
        // his track is taken up again where he lay (or, lost, he would count as hidden): still on the ground.
        var truth = RealClipTests.GroundTruth("fall/plaza_collapse_bystanders.mp4").GetProperty("events")[0].GetProperty("start_s").GetDouble();
        var alert = Assert.Single(await Analyze("fall/plaza_collapse_bystanders.mp4"), e => e.Kind == "person_down");
        Assert.InRange(alert.RaisedS, truth, truth + 3);
    }

    [Fact]
    public async Task A_dense_shopping_street_filmed_at_head_height_has_nobody_on_the_ground()
    {
        // Near people run out of the bottom of the picture: their squat, cut boxes are not people lying.
        Assert.DoesNotContain(await Analyze("crowd_density/oxford_street_dense_crowd.mp4"), e => e.Kind == "person_down");
    }

    [Fact]
    public async Task Children_and_adults_moving_around_indoors_are_not_on_the_ground()
    {
        Assert.Empty(await Analyze("negative/kids_orange_food_indoor.mp4"));
    }
}

/// <summary>Model-free fire detection on real footage, positive and negative.</summary>
public class FireClipTests
{
    private static Task<List<EventLine>> Analyze(string clip, string? model = null) => AnalyzeFile(TestPaths.Clip(clip), model);

    private static async Task<List<EventLine>> AnalyzeFile(string video, string? model = null)
    {
        var folder = TestPaths.TempFolder();
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, "cameras:\n  - name: cam\n    use_cases: { fire: {} }\n");
        var events = Path.Combine(folder, "events.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(video, config, model is null ? null : TestPaths.Model(model),
            null, null, events, null, null, null, null, null), CancellationToken.None);
        Assert.Equal(0, code);
        return JsonLinesWriter.Read<EventLine>(events).Where(e => e.Kind == "fire").ToList();
    }

    [Theory]
    [InlineData("fire/house_fire_phone.mp4")]
    [InlineData("fire/roadside_grass_fire.mp4")]
    public async Task Burning_house_and_grass_fire_are_detected_within_seconds(string clip)
    {
        var alert = Assert.Single(await Analyze(clip));
        Assert.InRange(alert.RaisedS, 0, 5);
    }

    [Fact]
    public async Task A_grass_fire_seen_by_a_camera_swaying_on_its_mast_is_detected()
    {
        // Most frames of the swaying copy are "camera moving"; the flames' flicker is measured on frames shifted back.
        var copy = Path.Combine(TestPaths.TempFolder(), "swaying.mp4");
        await FootageVariants.MakeCopyAsync(TestPaths.Clip("fire/roadside_grass_fire.mp4"), copy, FootageVariants.All.Single(v => v.Name == "swaying"),
            CancellationToken.None);
        var alert = Assert.Single(await AnalyzeFile(copy));
        Assert.InRange(alert.RaisedS, 0, 5);
    }

    [Theory]
    [InlineData("negative/kids_orange_food_indoor.mp4")]
    [InlineData("fall/plaza_collapse_bystanders.mp4")]
    [InlineData("crowd_density/oxford_street_dense_crowd.mp4")]
    public async Task Orange_clothes_food_and_red_signs_are_not_fire(string clip) => Assert.Empty(await Analyze(clip));

    [Theory]
    [InlineData("fire/house_fire_phone.mp4", true)]
    [InlineData("fire/roadside_grass_fire.mp4", true)]
    [InlineData("weapon/shooting_range_handgun.mp4", false)]
    public async Task With_a_detector_yellow_and_tan_clothes_on_a_moving_person_are_not_flames(string clip, bool fire)
    {
        // The shooting-range officer's yellow lettering and tan gloves flicker as he fires and the camera
        // zooms; with person boxes they are not taken for flames, and the real fires are still found.
        var alerts = await Analyze(clip, "yolox_nano.onnx");
        Assert.Equal(fire ? 1 : 0, alerts.Count);
    }
}

/// <summary>Abandoned object on the AVSS 2007 platform clip, with the scene's 10 s dwell.</summary>
public class AbandonedObjectClipTests
{
    [Theory]
    [InlineData("yolox_nano.onnx")]
    [InlineData("deimv2_femto_coco.onnx")] // loses the suitcase a second after its owner walks off: kept by the look of its place
    public async Task The_suitcase_left_on_the_platform_is_reported_after_its_owner_leaves(string model)
    {
        var truth = RealClipTests.GroundTruth("abandoned_object/avss2007_easy_platform_suitcase.mov").GetProperty("events")[0];
        var folder = TestPaths.TempFolder();
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, "cameras:\n  - name: platform\n    use_cases: { abandoned_object: { dwell_s: 10 } }\n");
        var events = Path.Combine(folder, "events.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(TestPaths.Clip("abandoned_object/avss2007_easy_platform_suitcase.mov"),
            config, TestPaths.Model(model), model.StartsWith("deimv2") ? "deimv2" : null, null, events, null, null, null, null, null), CancellationToken.None);
        Assert.Equal(0, code);
        var alert = Assert.Single(JsonLinesWriter.Read<EventLine>(events), e => e.Kind == "abandoned_object");
        Assert.InRange(alert.StartS, truth.GetProperty("start_s").GetDouble() - 1, truth.GetProperty("start_s").GetDouble() + 3);
        Assert.True(alert.RaisedS - alert.StartS >= 10);
        // The reported box is the suitcase of the annotation.
        var box = truth.GetProperty("box").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.InRange(alert.Box[0] + alert.Box[2] / 2, box[0], box[0] + box[2]);
    }
}

/// <summary>People counts against frames counted by hand (tests/Vigie.Tests/Data/crowd_counts.json).</summary>
public class CrowdCountTests
{
    /// <summary>The crowd-density count on the first hand-counted frame (the plaza at 2 s, 50 people) and that count.</summary>
    private static async Task<(double Measured, double Expected)> PlazaCount(string detector)
    {
        using var counts = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "crowd_counts.json")));
        var frame = counts.RootElement.GetProperty("frames")[0];
        var folder = TestPaths.TempFolder();
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, $$"""
            detector: {{detector}}
            cameras:
              - name: plaza
                use_cases: { crowd_density: { max_persons: 1000 } }
            """);
        var metrics = Path.Combine(folder, "metrics.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(TestPaths.Clip(frame.GetProperty("file").GetString()!), config,
            null, null, null, null, null, null, null, null, null) { Metrics = metrics }, CancellationToken.None);
        Assert.Equal(0, code);
        var measured = JsonLinesWriter.Read<MeasurementLine>(metrics)
            .Single(m => m.Name == "persons" && Math.Abs(m.TimeS - frame.GetProperty("time_s").GetDouble()) < 0.01).Value;
        return (measured, frame.GetProperty("count").GetDouble());
    }

    [Fact]
    public async Task A_crowd_model_at_high_resolution_counts_the_plaza_within_a_fifth()
    {
        var (measured, expected) = await PlazaCount($"{{ type: onnx, model: {TestPaths.Model("rtmdet_nano_person.onnx")}, format: rtmdet, input_size: [1280, 736] }}");
        Assert.InRange(measured, 0.8 * expected, 1.2 * expected);
    }

    [Fact]
    public async Task The_counting_pass_on_tiles_brings_a_small_general_model_within_a_fifth_of_the_plaza()
    {
        var model = TestPaths.Model("yolox_nano.onnx");
        var (measured, expected) = await PlazaCount($"{{ type: onnx, model: {model} }}");
        Assert.InRange(measured, 0.8 * expected, 1.2 * expected);
        // Without it, the model sees about half of the crowd.
        var (alone, _) = await PlazaCount($"{{ type: onnx, model: {model}, count_tiles: [1, 1] }}");
        Assert.True(alone < 0.6 * expected, $"whole frame only: {alone} of {expected}");
    }
}
