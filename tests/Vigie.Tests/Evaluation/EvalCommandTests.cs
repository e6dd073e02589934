using System.Text.Json;
using Vigie.Cli.Commands;
using Vigie.Tests.Cli;

namespace Vigie.Tests.Evaluation;

/// <summary>`vigie eval` end to end on real clips, writing report.json and report.html.</summary>
public class EvalCommandTests
{
    [Fact]
    public async Task Eval_on_the_intrusion_and_a_negative_clip_reports_in_the_documented_shape()
    {
        var folder = TestPaths.TempFolder();
        using var shared = JsonDocument.Parse(File.ReadAllText(TestPaths.Clip("ground_truth.json")));
        var clips = shared.RootElement.GetProperty("clips").EnumerateArray()
            .Where(c => c.GetProperty("file").GetString() is "intrusion/table_zone_one_by_one.mp4" or "negative/kids_orange_food_indoor.mp4")
            .Select(c =>
            {
                // Clip paths are relative to the truth file; point them at ../shared from a temporary copy.
                var node = System.Text.Json.Nodes.JsonNode.Parse(c.GetRawText())!;
                node["file"] = TestPaths.Clip(c.GetProperty("file").GetString()!);
                // A parameter the zone's use case (intrusion) does not have: run without it, and say so.
                if (node["scene"]?["zones"]?[0] is System.Text.Json.Nodes.JsonObject zone)
                    zone["params"] = new System.Text.Json.Nodes.JsonObject { ["max_persons"] = 3 };
                return node;
            }).ToArray();
        var truth = Path.Combine(folder, "truth.json");
        await File.WriteAllTextAsync(truth, new System.Text.Json.Nodes.JsonObject { ["version"] = 1, ["clips"] = new System.Text.Json.Nodes.JsonArray(clips) }.ToJsonString());
        var output = Path.Combine(folder, "eval");

        var (code, warnings) = await ConsoleCapture.Error(() =>
            EvalCommand.Create().Parse(["--truth", truth, "--model", TestPaths.Model("yolox_nano.onnx"), "--out", output]).InvokeAsync());

        Assert.Equal(0, code);
        Assert.Matches(@"clips\[\d\]\.scene\.zones\[0\]\.params\.max_persons: no use case of zone '\w+' \(intrusion\)", warnings);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
        var root = report.RootElement;
        Assert.Equal(2, root.GetProperty("clips").GetInt32());
        Assert.InRange(root.GetProperty("hours").GetDouble(), 0.04, 0.05); // 139.4 s + 18.0 s
        var kinds = root.GetProperty("kinds");
        Assert.Equal(8, kinds.EnumerateObject().Count());
        var intrusion = kinds.GetProperty("intrusion");
        Assert.Equal(6, intrusion.GetProperty("tp").GetInt32() + intrusion.GetProperty("fn").GetInt32());
        Assert.True(intrusion.GetProperty("recall").GetDouble() >= 5 / 6.0);
        foreach (var key in new[] { "fp", "duplicates", "precision", "f1", "median_delay_s", "p95_delay_s" })
            Assert.True(intrusion.TryGetProperty(key, out _), key);
        Assert.Equal(0, root.GetProperty("false_alarms_per_hour").GetDouble());
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("table_zone_one_by_one.mp4", html);
        Assert.Contains("data:image/png;base64,", html);
    }

    /// <summary>A truth file in the folder with one clip: the fall of room_fall01 at 5 s.</summary>
    private static async Task<string> OneFallAsync(string folder)
    {
        var truth = Path.Combine(folder, "truth.json");
        await File.WriteAllTextAsync(truth, JsonSerializer.Serialize(new
        {
            version = 1,
            clips = new[] { new { file = TestPaths.Clip("fall/room_fall01.mp4"), events = new[] { new { kind = "person_down", start_s = 5.0, end_s = (double?)null } } } },
        }));
        return truth;
    }

    [Fact]
    public async Task A_camera_of_the_config_watches_the_clips_without_a_scene()
    {
        var folder = TestPaths.TempFolder();
        var truth = await OneFallAsync(folder);
        // The fall lies 2 s before the clip ends: a camera asking for 30 s on the ground cannot report it.
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, $$"""
            version: 1
            detector: { type: onnx, model: {{TestPaths.Model("yolox_nano.onnx")}}, format: yolox }
            cameras:
              - name: lobby
                use_cases: { fire: {} }
              - name: ward
                use_cases: { person_down: { down_s: 30 } }
            """);
        async Task<JsonElement> PersonDown(params string[] extra)
        {
            var output = Path.Combine(folder, $"eval{extra.Length}");
            Assert.Equal(0, await EvalCommand.Create().Parse(["--truth", truth, "--config", config, "--out", output, .. extra]).InvokeAsync());
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
            return report.RootElement.GetProperty("kinds").GetProperty("person_down").Clone();
        }

        var byDefault = await PersonDown();
        var byTheWard = await PersonDown("--camera", "ward");

        Assert.Equal(1, byDefault.GetProperty("tp").GetInt32());
        Assert.Equal(0, byTheWard.GetProperty("tp").GetInt32());
        Assert.Equal(1, byTheWard.GetProperty("fn").GetInt32());
        var unknown = await ConsoleCapture.Error(() =>
            EvalCommand.Create().Parse(["--truth", truth, "--config", config, "--camera", "hall", "--out", folder]).InvokeAsync());
        Assert.Equal(2, unknown.Code);
        Assert.Contains("--camera hall", unknown.Text);
        Assert.Contains("lobby, ward", unknown.Text);
        var noConfig = await ConsoleCapture.Error(() => EvalCommand.Create().Parse(["--truth", truth, "--camera", "ward", "--out", folder]).InvokeAsync());
        Assert.Equal(2, noConfig.Code);
        Assert.Contains("no --config", noConfig.Text);
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_is_said_after_the_table_and_an_output_folder_that_cannot_be_made_before_the_run()
    {
        var folder = TestPaths.TempFolder();
        var truth = await OneFallAsync(folder);
        // The report written to a full device, once the clips are evaluated.
        var output = Path.Combine(folder, "eval");
        Directory.CreateDirectory(output);
        File.CreateSymbolicLink(Path.Combine(output, "report.json"), "/dev/full");
        var blocked = await ConsoleCapture.Error(() =>
            EvalCommand.Create().Parse(["--truth", truth, "--model", TestPaths.Model("yolox_nano.onnx"), "--out", output]).InvokeAsync());
        Assert.Equal(1, blocked.Code);
        Assert.Contains($"error: writing the evaluation to {output} failed (No space left on device", blocked.Text);
        Assert.Contains("the table above is its result", blocked.Text);

        // --out naming a file: said before any clip is evaluated.
        var file = Path.Combine(folder, "a-file");
        await File.WriteAllTextAsync(file, "");
        var notAFolder = await ConsoleCapture.Error(() =>
            EvalCommand.Create().Parse(["--truth", truth, "--model", TestPaths.Model("yolox_nano.onnx"), "--out", file]).InvokeAsync());
        Assert.Equal(2, notAFolder.Code);
        Assert.Contains($"error: --out {file}: the folder cannot be made", notAFolder.Text);
    }

    [Fact]
    public async Task Ctrl_c_during_an_evaluation_exits_130_saying_so()
    {
        var output = Path.Combine(TestPaths.TempFolder(), "eval");
        using var eval = VigieProcess.StartInOwnSession(
            ["eval", "--truth", TestPaths.Clip("ground_truth.json"), "--model", TestPaths.Model("yolox_nano.onnx"), "--out", output]);
        Assert.True(await eval.LogShowsAsync(log => log.Contains("[1/"), TimeSpan.FromSeconds(60)), eval.Log);

        Assert.Equal(130, await eval.InterruptAsync());
        Assert.Contains("stopped by the user", eval.Log);
        Assert.DoesNotContain("Unhandled exception", eval.Log);
    }

    [Fact]
    public async Task A_missing_truth_file_exits_2()
    {
        var code = await EvalCommand.Create().Parse(["--truth", "/no/truth.json", "--out", TestPaths.TempFolder()]).InvokeAsync();
        Assert.Equal(2, code);
    }

    [Fact]
    public async Task Eval_with_hand_counts_reports_the_counting_error_per_frame()
    {
        var folder = TestPaths.TempFolder();
        // Clip paths relative to the truth file, or absolute as here.
        var kids = TestPaths.Clip("negative/kids_orange_food_indoor.mp4");
        var plaza = TestPaths.Clip("fall/plaza_collapse_bystanders.mp4");
        var truth = Path.Combine(folder, "truth.json");
        await File.WriteAllTextAsync(truth, JsonSerializer.Serialize(new { version = 1, clips = new[] { new { file = kids, events = Array.Empty<object>() } } }));
        var counts = Path.Combine(folder, "counts.json");
        await File.WriteAllTextAsync(counts, JsonSerializer.Serialize(new
        {
            frames = new[] { new { file = plaza, time_s = 6.0, count = 5 }, new { file = kids, time_s = 9.0, count = 5 } },
        }));
        var output = Path.Combine(folder, "eval");

        var code = await EvalCommand.Create().Parse(["--truth", truth, "--model", TestPaths.Model("yolox_nano.onnx"), "--counts", counts, "--out", output])
            .InvokeAsync();

        Assert.Equal(0, code);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "counting.json")));
        var root = report.RootElement;
        Assert.Equal(2, root.GetProperty("frames").GetInt32());
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([6.0, 9.0], rows.Select(r => r.GetProperty("time_s").GetDouble()));
        // Five people in plain view in both frames: the detector's count is close.
        foreach (var row in rows)
            Assert.InRange(row.GetProperty("counted").GetDouble(), 3, 7);
        var mae = rows.Average(r => Math.Abs(r.GetProperty("counted").GetDouble() - 5));
        Assert.Equal(mae, root.GetProperty("mean_absolute_error").GetDouble(), 2);
        Assert.Contains("People counting", File.ReadAllText(Path.Combine(output, "report.html")));
    }

    [Fact]
    public async Task A_bad_hand_count_file_exits_2_naming_the_field()
    {
        var folder = TestPaths.TempFolder();
        var counts = Path.Combine(folder, "counts.json");
        await File.WriteAllTextAsync(counts, """{ "frames": [ { "file": "a.mp4", "time_s": -1, "count": 3 } ] }""");
        var error = await ConsoleCapture.Error(() =>
            EvalCommand.Create().Parse(["--truth", TestPaths.Clip("ground_truth.json"), "--counts", counts, "--out", folder]).InvokeAsync());
        Assert.Equal(2, error.Code);
        Assert.Contains("frames[0].time_s", error.Text);
    }
}
