using System.Text.Json;
using Vigie.Alerts;
using Vigie.Cli.Commands;

namespace Vigie.Tests.Cli;

/// <summary>The pipeline on real footage from ../shared/data against its ground truth.</summary>
public class RealClipTests
{
    [Fact]
    public async Task Plaza_clip_with_yolox_gives_plausible_person_tracks_with_few_id_switches()
    {
        var folder = TestPaths.TempFolder();
        var tracksFile = Path.Combine(folder, "tracks.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(TestPaths.Clip("pedestrians/vtest.avi"), null,
            TestPaths.Model("yolox_nano.onnx"), null, null, null, tracksFile, null, null, null, null), CancellationToken.None);
        Assert.Equal(0, code);
        var tracks = JsonLinesWriter.Read<TrackLine>(tracksFile).ToList();
        Assert.All(tracks, t => Assert.Equal("person", t.Category));
        // About 40 people cross the plaza in 13.6 s; some are never detected by a nano model at 416 px.
        Assert.InRange(tracks.Count, 20, 70);
        Assert.True(tracks.Count(t => t.LastS - t.FirstS >= 3) >= 15, "most people should be followed for several seconds");
        // People do not appear out of nowhere in the middle of a plaza: a track born there after the
        // first second is a broken track (an id switch). Bound them.
        var bornInside = tracks.Count(t => t.FirstS > 1 && Interior(t.FirstBox));
        Assert.True(bornInside <= 10, $"{bornInside} tracks started in the middle of the scene");
    }

    [Fact]
    public async Task Intrusion_clip_raises_one_alert_per_intruder_within_a_second_of_entry()
    {
        var truth = GroundTruth("intrusion/table_zone_one_by_one.mp4");
        var folder = TestPaths.TempFolder();
        var config = Path.Combine(folder, "scene.yaml");
        var polygon = truth.GetProperty("scene").GetProperty("zones")[0].GetProperty("polygon").GetRawText();
        await File.WriteAllTextAsync(config, $$"""
            detector: { type: onnx, model: {{TestPaths.Model("deimv2_femto_coco.onnx")}}, format: deimv2 }
            cameras:
              - name: room
                zones:
                  - { name: forbidden, polygon: {{polygon}}, use_cases: { intrusion: {} } }
            """);
        var events = Path.Combine(folder, "events.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(TestPaths.Clip("intrusion/table_zone_one_by_one.mp4"),
            config, null, null, null, events, null, null, null, null, null), CancellationToken.None);
        Assert.Equal(0, code);

        var alerts = JsonLinesWriter.Read<EventLine>(events).Where(e => e.Kind == "intrusion").ToList();
        var expected = truth.GetProperty("events").EnumerateArray()
            .Select(e => (Start: e.GetProperty("start_s").GetDouble(), End: e.GetProperty("end_s").GetDouble())).ToList();
        Assert.Equal(expected.Count, alerts.Count);
        foreach (var (start, end) in expected)
        {
            var alert = Assert.Single(alerts, a => a.RaisedS >= start - 1 && a.RaisedS <= end);
            Assert.InRange(alert.RaisedS - start, -0.5, 1.0);
        }
    }

    private static bool Interior(IReadOnlyList<double> box)
    {
        var cx = box[0] + box[2] / 2;
        return cx is > 0.08 and < 0.92 && box[1] > 0.08 && box[1] + box[3] < 0.92;
    }

    internal static JsonElement GroundTruth(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Clip("ground_truth.json")));
        return doc.RootElement.GetProperty("clips").EnumerateArray().First(c => c.GetProperty("file").GetString() == file).Clone();
    }
}
