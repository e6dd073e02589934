using System.Text.Json;
using OpenCvSharp;
using Vigie.Alerts;
using Vigie.Cli.Commands;
using Vigie.Geometry;
using Vigie.Video;

namespace Vigie.Tests.Cli;

/// <summary>`vigie analyze` end to end, in process, with real decoding and real files.</summary>
public class AnalyzeCommandTests
{
    private static AnalyzeCommand.Options Args(string? source, string? config = null, string? model = null, string? output = null,
        string? tracks = null, string? render = null) =>
        new(source, config, model, null, null, output, tracks, render, null, null, null);

    /// <summary>A scene configuration file holding this YAML, alone in a new folder.</summary>
    private static async Task<string> ConfigFile(string yaml)
    {
        var config = Path.Combine(TestPaths.TempFolder(), "scene.yaml");
        await File.WriteAllTextAsync(config, yaml);
        return config;
    }

    /// <summary>Runs `vigie analyze` with these arguments; its exit code and what it wrote to standard error.</summary>
    private static Task<(int Code, string Text)> Run(AnalyzeCommand.Options args) =>
        ConsoleCapture.Error(() => AnalyzeCommand.RunAsync(args, CancellationToken.None));

    /// <summary>A new folder holding the synthetic sample: its video and its scene configuration.</summary>
    private static (string Folder, string Config) Sample()
    {
        var folder = TestPaths.TempFolder();
        SampleCommand.Write(folder);
        return (folder, Path.Combine(folder, "synthetic.yaml"));
    }

    [Fact]
    public async Task The_synthetic_sample_raises_its_zone_and_line_intrusions_at_the_true_times()
    {
        var (folder, config) = Sample();
        var events = Path.Combine(folder, "events.jsonl");
        var video = Path.Combine(folder, "annotated.mp4");
        var code = await AnalyzeCommand.RunAsync(Args(null, config, output: events, render: video), CancellationToken.None);

        Assert.Equal(0, code);
        var lines = JsonLinesWriter.Read<EventLine>(events).ToList();
        var scene = SyntheticScene.Default;
        Point2[] zone = [new(0.45f, 0.6f), new(0.75f, 0.6f), new(0.75f, 1.0f), new(0.45f, 1.0f)];
        var entry = scene.FirstEntry(scene.Walkers[0], zone)!.Value.TotalSeconds;
        var zoneEvent = Assert.Single(lines, l => l.Where == "forbidden");
        Assert.InRange(zoneEvent.StartS, entry - 0.05, entry + 0.45);
        Assert.InRange(zoneEvent.RaisedS - entry, 0, 1.0);
        Assert.True(zoneEvent.EndS > zoneEvent.StartS);
        var lineEvent = Assert.Single(lines, l => l.Where == "fence");
        // The second walker crosses x = 0.25 × 640 = 160 px at 4 + (660 - 160) / 70 s.
        Assert.InRange(lineEvent.StartS, 11.1, 11.5);
        Assert.Contains("left to right", lineEvent.Detail);
        Assert.True(new FileInfo(video).Length > 10_000);
    }

    [Theory]
    [InlineData("Europe/Paris", true)]   // 21:30 UTC is 22:30 in Paris: inside the night schedule
    [InlineData("UTC", false)]           // 21:30 on a UTC clock: before it
    public async Task A_night_schedule_is_read_on_the_site_clock(string timeZone, bool watched)
    {
        var (folder, _) = Sample();
        var config = Path.Combine(folder, "night.yaml");
        await File.WriteAllTextAsync(config, $$"""
            time_zone: {{timeZone}}
            cameras:
              - name: synthetic
                source: synthetic.mp4
                start_time: "2026-11-20T21:30:00Z"
                zones:
                  - name: forbidden
                    polygon: [[0.45, 0.6], [0.75, 0.6], [0.75, 1.0], [0.45, 1.0]]
                    schedule: [{ from: "22:00", to: "06:00" }]
                    use_cases: { intrusion: { dwell_s: 0.5 } }
            """);
        var events = Path.Combine(folder, "events.jsonl");
        Assert.Equal(0, await AnalyzeCommand.RunAsync(Args(null, config, output: events), CancellationToken.None));

        var lines = JsonLinesWriter.Read<EventLine>(events).ToList();
        Assert.Equal(watched, lines.Any(l => l.Where == "forbidden"));
        if (watched)
        {
            // Reported on the site's clock: 22:30 and some seconds, at Paris's winter offset.
            var clock = Assert.Single(lines).StartClock;
            Assert.Equal(TimeSpan.FromHours(1), clock.Offset);
            Assert.Equal(22, clock.Hour);
        }
    }

    [Fact]
    public async Task The_rendered_video_hides_the_whole_scene_until_its_empty_scene_is_learnt()
    {
        var video = Path.Combine(TestPaths.TempFolder(), "annotated.mp4");
        Assert.Equal(0, await AnalyzeCommand.RunAsync(Args(TestPaths.Clip("pedestrians/vtest.avi"), render: video), CancellationToken.None));

        // The plaza's paving: a mosaic in the first seconds (nobody the detector missed can be told from the
        // scene yet), then sharp but where things differ from the learnt scene.
        using var capture = new VideoCapture(video);
        var detail = new List<double>();
        using (var frame = new Mat())
            while (capture.Read(frame) && !frame.Empty()) detail.Add(Video.ForegroundPrivacyTests.Detail(frame, new Rect(0, 0, frame.Width, frame.Height)));
        Assert.True(detail.Count > 40);
        double first = Median(detail[1..15]), later = Median(detail[^20..]);
        Assert.True(first < 0.7 * later, $"{first:P0} of neighbouring pixels differ in the first seconds, {later:P0} later");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    [Fact]
    public async Task An_invalid_model_file_fails_before_decoding_with_exit_code_2()
    {
        var folder = TestPaths.TempFolder();
        var model = Path.Combine(folder, "broken.onnx");
        await File.WriteAllTextAsync(model, "this is not a model");
        var error = await Run(Args(TestPaths.Clip("pedestrians/vtest.avi"), model: model));
        Assert.Equal(2, error.Code);
        Assert.Contains("is not a loadable ONNX model", error.Text);
    }

    [Fact]
    public async Task Without_a_model_the_use_cases_that_need_one_are_named()
    {
        var config = await ConfigFile("cameras:\n  - name: a\n    use_cases: { person_down: {}, weapon: {}, intrusion: {}, abandoned_object: {} }\n");
        var folder = Path.GetDirectoryName(config)!;
        var clip = TestPaths.Clip("fall/room_fall01.mp4");
        var blind = await Run(Args(clip, config, output: Path.Combine(folder, "a.jsonl")));
        Assert.Equal(0, blind.Code);
        Assert.Contains("warning: the model-free motion detector (no --model) finds moving things, not people, bags or weapons: " +
                        "person_down, weapon cannot raise any alert; abandoned_object sees no bag by its class (with static_objects: true it watches new still things, people standing still included)", blind.Text);
        var model = await Run(Args(clip, config, TestPaths.Model("yolox_nano.onnx"), Path.Combine(folder, "b.jsonl")));
        Assert.Equal(0, model.Code);
        Assert.DoesNotContain("warning", model.Text);
    }

    [Fact]
    public async Task A_model_given_another_input_size_than_its_own_fails_at_start_naming_the_setting()
    {
        var config = await ConfigFile($"detector: {{ type: onnx, model: {TestPaths.Model("yolox_nano.onnx")}, input_size: [640, 640] }}\n");
        var error = await Run(Args(TestPaths.Clip("pedestrians/vtest.avi"), config));
        Assert.Equal(2, error.Code);
        Assert.Contains("yolox_nano.onnx takes a fixed 416x416 input: set detector.input_size to [416, 416] (it is [640, 640])", error.Text);
    }

    [Fact]
    public async Task An_invalid_config_names_the_field_and_exits_2()
    {
        var folder = TestPaths.TempFolder();
        var config = Path.Combine(folder, "bad.yaml");
        await File.WriteAllTextAsync(config, "cameras:\n  - name: a\n    zones:\n      - { name: z, polygon: [[0, 0], [1, 1]] }\n");
        var error = await Run(Args(TestPaths.Clip("pedestrians/vtest.avi"), config));
        Assert.Equal(2, error.Code);
        Assert.Contains("cameras[0].zones[0].polygon: needs at least 3 points", error.Text);
    }

    [Fact]
    public async Task A_truncated_video_keeps_the_results_produced_and_exits_1()
    {
        var folder = TestPaths.TempFolder();
        var bytes = await File.ReadAllBytesAsync(TestPaths.Clip("pedestrians/vtest.avi"));
        var clip = Path.Combine(folder, "cut.avi");
        await File.WriteAllBytesAsync(clip, bytes[..(bytes.Length / 2)]);
        var tracks = Path.Combine(folder, "tracks.jsonl");
        var error = await Run(Args(clip, tracks: tracks));
        Assert.Equal(1, error.Code);
        Assert.Contains("truncated", error.Text);
        Assert.NotEmpty(File.ReadAllLines(tracks)); // tracks seen before the cut are flushed
    }

    [Fact]
    public async Task A_full_disk_is_reported_and_exits_1()
    {
        var error = await Run(Args(TestPaths.Clip("pedestrians/vtest.avi"), tracks: "/dev/full"));
        Assert.Equal(1, error.Code);
        Assert.Contains("writing results failed: No space left on device", error.Text);
    }

    [Fact]
    public async Task Any_command_meeting_a_full_disk_says_so_in_one_line_and_exits_1()
    {
        var folder = TestPaths.TempFolder();
        File.CreateSymbolicLink(Path.Combine(folder, "synthetic.mp4"), "/dev/full");

        var (code, _, error) = await VigieProcess.RunAsync(["sample", folder]);

        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains("No space left on device", error);
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_face_model_pixelates_faces_in_the_rendered_video_and_a_wrong_one_fails_before_decoding()
    {
        var (folder, config) = Sample();
        var video = Path.Combine(folder, "annotated.mp4");
        var wrong = await Run(Args(null, config, render: video) with { FaceModel = TestPaths.Model("yolox_nano.onnx") });
        Assert.Equal(2, wrong.Code);
        Assert.Contains("--face-model", wrong.Text);
        Assert.Contains("not a YuNet face model", wrong.Text);
        Assert.False(File.Exists(video));

        var code = await AnalyzeCommand.RunAsync(Args(null, config, render: video) with { FaceModel = TestPaths.Model("yunet_face.onnx") },
            CancellationToken.None);
        Assert.Equal(0, code);
        Assert.True(new FileInfo(video).Length > 10_000);
    }

    [Fact]
    public async Task Writing_over_the_analysed_video_is_refused()
    {
        var folder = TestPaths.TempFolder();
        SampleCommand.Write(folder);
        var clip = Path.Combine(folder, "synthetic.mp4");
        var before = File.ReadAllBytes(clip);
        var error = await Run(Args(clip, render: clip));
        Assert.Equal(2, error.Code);
        Assert.Contains("would overwrite the video being analysed", error.Text);
        Assert.Equal(before, File.ReadAllBytes(clip));
    }

    [Fact]
    public async Task A_missing_source_exits_2()
    {
        var error = await Run(Args("/no/such/video.mp4"));
        Assert.Equal(2, error.Code);
        Assert.Contains("no such file", error.Text);
    }

    [Fact]
    public async Task Nothing_to_analyse_exits_2_saying_what_to_give()
    {
        var error = await Run(Args(null));
        Assert.Equal(2, error.Code);
        Assert.Contains("nothing to analyse: pass a video file", error.Text);
    }

    /// <param name="detectorOnly">A --config that sets the detector and no camera: before, it silently watched nothing.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Without_a_scene_the_use_cases_that_need_no_zone_watch_the_whole_image(bool detectorOnly)
    {
        var events = Path.Combine(TestPaths.TempFolder(), "events.jsonl");
        var model = TestPaths.Model("yolox_nano.onnx");
        var config = detectorOnly ? await ConfigFile($"detector: {{ type: onnx, model: {model}, format: yolox }}\n") : null;
        var run = await Run(Args(TestPaths.Clip("fall/room_fall01.mp4"), config, detectorOnly ? null : model, events));
        Assert.Equal(0, run.Code);
        Assert.Contains($"{(detectorOnly ? $"{config} has no camera" : "no --config")}: watching the whole image for person_down, weapon, fire, abandoned_object, crowd_movement", run.Text);
        // The man falls at 5.0 s (ground truth) and stays down; down_s is 2 s.
        var fall = Assert.Single(JsonLinesWriter.Read<EventLine>(events));
        Assert.Equal("person_down", fall.Kind);
        Assert.InRange(fall.RaisedS, 5.0, 8.0);
    }
}

/// <summary>Abandoned object of no detector class (a parcel), found by the dual background model, no model at all.</summary>
public class StaticObjectCommandTests
{
    private static readonly Box Parcel = new(430, 262, 36, 28);

    /// <summary>
    /// A walker crosses from the left, drops a parcel at 10 s where he is, walks on and leaves the image
    /// at about 13.5 s; a second one crosses later without stopping. The parcel is taken at 34 s.
    /// </summary>
    public static readonly SyntheticScene ParcelScene = new(640, 360, 10, TimeSpan.FromSeconds(40),
    [
        new Walker(TimeSpan.FromSeconds(2), new Point2(-30, 300), new Point2(60, 0)),
        new Walker(TimeSpan.FromSeconds(20), new Point2(660, 200), new Point2(-80, 0)),
    ]) { Objects = [new LeftObject(Parcel, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(34))] };

    /// <param name="staticObjects">The setting, or null to leave it at its default.</param>
    private static async Task<List<EventLine>> Analyse(bool? staticObjects, SyntheticScene? scene = null)
    {
        var video = Path.Combine(TestPaths.TempFolder(), "parcel.mp4");
        (scene ?? ParcelScene).WriteVideo(video);
        var setting = staticObjects is { } on ? $", static_objects: {on.ToString().ToLowerInvariant()}" : "";
        return await MovementClipTests.Analyze(video,
            $"cameras:\n  - name: hall\n    use_cases: {{ abandoned_object: {{ dwell_s: 10{setting} }} }}\n");
    }

    [Fact]
    public async Task A_parcel_left_by_a_passer_by_is_reported_after_the_dwell_and_closed_when_taken()
    {
        var alert = Assert.Single(await Analyse(staticObjects: true));
        Assert.Equal("abandoned_object", alert.Kind);
        // Put down at 10 s; still for a couple of seconds before it counts.
        Assert.InRange(alert.StartS, 10, 15);
        Assert.InRange(alert.RaisedS - alert.StartS, 9.9, 10.5);
        Assert.InRange(alert.EndS!.Value, 33, 34.5);
        Assert.Contains("object left unattended", alert.Detail);
        var box = new Box((float)alert.Box[0] * 640, (float)alert.Box[1] * 360, (float)alert.Box[2] * 640, (float)alert.Box[3] * 360);
        Assert.True(box.IoU(Parcel) > 0.5, $"reported box {box}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public async Task Without_the_static_object_path_a_parcel_is_not_an_abandoned_object(bool? staticObjects)
    {
        // Left unset, the path is off with the motion detector (no model), which takes anyone standing
        // still for a thing put down: it cannot tell people from objects.
        Assert.Empty(await Analyse(staticObjects));
    }

    [Fact]
    public async Task A_still_thing_that_came_with_nobody_is_not_an_abandoned_object()
    {
        // The same parcel appears at 10 s with nobody beside it (what a patch of light, a shadow or a flaw
        // of the learned scene looks like to the background model); the only walker passes well above it.
        var alone = ParcelScene with { Walkers = [ParcelScene.Walkers[1]] };
        Assert.Empty(await Analyse(staticObjects: true, alone));
    }
}
