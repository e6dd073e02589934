using System.Text.Json;
using Vigie.Cli.Commands;

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
                return node;
            }).ToArray();
        var truth = Path.Combine(folder, "truth.json");
        await File.WriteAllTextAsync(truth, new System.Text.Json.Nodes.JsonObject { ["version"] = 1, ["clips"] = new System.Text.Json.Nodes.JsonArray(clips) }.ToJsonString());
        var output = Path.Combine(folder, "eval");

        var code = await EvalCommand.Create().Parse(["--truth", truth, "--model", TestPaths.Model("yolox_nano.onnx"), "--out", output]).InvokeAsync();

        Assert.Equal(0, code);
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

    [Fact]
    public async Task A_missing_truth_file_exits_2()
    {
        var code = await EvalCommand.Create().Parse(["--truth", "/no/truth.json", "--out", TestPaths.TempFolder()]).InvokeAsync();
        Assert.Equal(2, code);
    }
}
