using System.Text.Json;
using Vigie.Forensics;
using Vigie.Geometry;
using Vigie.Tests.Cli;
using Vigie.Tests.Video;
using Vigie.Video;

namespace Vigie.Tests.Forensics;

/// <summary>
/// `vigie index`, `search` and `synopsis` as a user runs them, on a 250 s synthetic recording with exact
/// truth: figures crossing a line east at known times (one across the cut between the two cores' pieces),
/// one loitering in a zone, one walking west later.
/// </summary>
public sealed class IndexedRecordingFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);
    public const int Width = 640;
    public static readonly Walker East = new(TimeSpan.FromSeconds(20), new Point2(-30, 220), new Point2(60, 0));
    public static readonly Walker AcrossTheCut = new(TimeSpan.FromSeconds(118), new Point2(-80, 260), new Point2(40, 0));
    public static readonly Walker Loiterer = new(TimeSpan.FromSeconds(60), new Point2(200, 300), new Point2(12, 0))
    {
        ChangeAt = TimeSpan.FromSeconds(90),
        VelocityAfter = new Point2(70, 0),
    };
    public static readonly Walker West = new(TimeSpan.FromSeconds(200), new Point2(700, 240), new Point2(-60, 0));

    public string Folder { get; } = TestPaths.TempFolder();
    public string Clip => Path.Combine(Folder, "recording.mp4");
    public string Index => Path.Combine(Folder, "case");

    public async Task InitializeAsync()
    {
        var scene = new SyntheticScene(Width, 360, 25, TimeSpan.FromSeconds(250), [East, AcrossTheCut, Loiterer, West]);
        await Task.Run(() => scene.WriteVideo(Clip));
        await File.WriteAllTextAsync(Path.Combine(Folder, "scene.yaml"), """
            version: 1
            cameras:
              - name: gate
                zones:
                  - name: B
                    polygon: [[0.3, 0.5], [0.95, 0.5], [0.95, 1.0], [0.3, 1.0]]
                lines:
                  - name: A
                    from: [0.5, 0.0]
                    to: [0.5, 1.0]
                    forbidden: none
            """);
        var (code, output, error) = await VigieProcess.RunAsync(["index", Clip, "--config", Path.Combine(Folder, "scene.yaml"), "--out", Index,
            "--start", Start.ToString("O"), "--workers", "2"]);
        Assert.True(code == 0, $"index exit {code}: {output} {error}");
        Assert.Contains("2 piece(s)", output.Replace("\n", " "));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

public class ForensicCommandTests(IndexedRecordingFixture recording) : IClassFixture<IndexedRecordingFixture>
{
    private static readonly Walker East = IndexedRecordingFixture.East;
    private static readonly Walker AcrossTheCut = IndexedRecordingFixture.AcrossTheCut;
    private static readonly Walker West = IndexedRecordingFixture.West;
    private const int Width = IndexedRecordingFixture.Width;
    private readonly string _folder = recording.Folder;
    private string Clip => recording.Clip;
    private string Index => recording.Index;

    private static async Task<List<JsonElement>> SearchAsync(params string[] filters)
    {
        var (code, output, error) = await VigieProcess.RunAsync(["search", .. filters, "--json"]);
        Assert.True(code == 0, $"search exit {code}: {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    /// <summary>When the walker's feet reach the middle of the image, in recording seconds.</summary>
    private static double CrossingTime(Walker w) => w.Appears.TotalSeconds + (Width / 2.0 - w.Start.X) / w.VelocityPerSecond.X;

    [Fact]
    public async Task Line_crossings_are_found_by_direction_at_the_right_time()
    {
        var eastwards = await SearchAsync(Index, "--line", "A", "--direction", "east");
        var times = eastwards.SelectMany(h => h.GetProperty("lines").EnumerateArray())
            .Where(l => l.GetProperty("line").GetString() == "A").Select(l => l.GetProperty("at_s").GetDouble()).ToList();
        foreach (var w in new[] { East, AcrossTheCut })
            Assert.Contains(times, t => Math.Abs(t - CrossingTime(w)) <= 0.5);
        Assert.DoesNotContain(times, t => Math.Abs(t - CrossingTime(West)) <= 2);

        var westwards = await SearchAsync(Index, "--line", "A", "--direction", "west");
        var west = Assert.Single(westwards);
        Assert.Equal("left_to_right", west.GetProperty("lines")[0].GetProperty("direction").GetString());
        Assert.InRange(west.GetProperty("lines")[0].GetProperty("at_s").GetDouble(), CrossingTime(West) - 0.5, CrossingTime(West) + 0.5);
        Assert.True(File.Exists(west.GetProperty("thumbnail").GetString()), "thumbnail written");
    }

    [Fact]
    public async Task The_track_across_the_cut_between_pieces_is_one_track()
    {
        var hits = await SearchAsync(Index, "--from", "14:02:05", "--to", "14:02:08");
        var across = Assert.Single(hits, h => h.GetProperty("heading").GetString() == "east");
        Assert.True(across.GetProperty("offset_s").GetDouble() < 124, "starts before the cut at 125 s");
        Assert.True(across.GetProperty("offset_s").GetDouble() + across.GetProperty("duration_s").GetDouble() > 128, "goes on after it");
    }

    [Fact]
    public async Task Dwell_in_a_zone_and_time_windows_filter()
    {
        var loitering = await SearchAsync(Index, "--zone", "B", "--min-dwell", "15s");
        var hit = Assert.Single(loitering);
        Assert.InRange(hit.GetProperty("offset_s").GetDouble(), 59, 63);
        var late = await SearchAsync(Index, "--from", "14:03:10", "--to", "14:04:00");
        Assert.Single(late);
        var (code, _, error) = await VigieProcess.RunAsync(["search", Index, "--min-dwell", "2m"]);
        Assert.Equal(2, code);
        Assert.Contains("--min-dwell: needs a zone", error);
    }

    [Fact]
    public async Task Synopsis_condenses_and_reports_its_ratio_and_overlap()
    {
        var output = Path.Combine(_folder, "synopsis.mp4");
        var (code, text, error) = await VigieProcess.RunAsync(["synopsis", Index, "--out", output, "--length", "20s"]);
        Assert.True(code == 0, $"synopsis exit {code}: {text} {error}");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(output, ".json")));
        var root = report.RootElement;
        Assert.True(root.GetProperty("objects").GetInt32() >= 4);
        Assert.InRange(root.GetProperty("synopsis_s").GetDouble(), 10, 30.5);
        Assert.True(root.GetProperty("condensation").GetDouble() > 8, $"condensation {root.GetProperty("condensation")}");
        Assert.InRange(root.GetProperty("overlap_fraction").GetDouble(), 0, 1);
        var shown = root.GetProperty("placed").EnumerateArray().Select(p => p.GetProperty("shown_at_s").GetDouble()).ToList();
        Assert.True(shown.Count(s => s < 1) >= 2, "objects of different times play together");
        await using var video = await FfmpegSource.OpenAsync(output, new DecodeOptions());
        Assert.InRange(video.Info.Duration!.Value.TotalSeconds, root.GetProperty("synopsis_s").GetDouble() - 0.5, root.GetProperty("synopsis_s").GetDouble() + 0.5);
    }

    [Fact]
    public async Task A_synopsis_that_cannot_be_as_short_as_asked_says_why()
    {
        // The loiterer is seen for over 30 s: shown whole, up to the 30 s an object plays by default.
        var output = Path.Combine(_folder, "short.mp4");
        var (code, text, error) = await VigieProcess.RunAsync(["synopsis", Index, "--out", output, "--length", "5s"]);
        Assert.True(code == 0, $"synopsis exit {code}: {text} {error}");
        Assert.Contains("longer than the 5.0 s asked", text.ReplaceLineEndings(" "));
        var (code2, text2, error2) = await VigieProcess.RunAsync(["synopsis", Index, "--out", output, "--length", "5s", "--max-object-time", "5s"]);
        Assert.True(code2 == 0, $"synopsis exit {code2}: {text2} {error2}");
        Assert.DoesNotContain("longer than", text2);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(output, ".json")));
        Assert.InRange(report.RootElement.GetProperty("synopsis_s").GetDouble(), 4.5, 5.5);
    }

    [Fact]
    public async Task The_search_table_fits_a_terminal_and_a_name_no_track_has_is_pointed_out()
    {
        var (code, text, error) = await VigieProcess.RunAsync(["search", Index, "--line", "A"]);
        Assert.True(code == 0, $"search exit {code}: {error}");
        var lines = text.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"wider than a terminal: {l}"));
        Assert.Contains("on 2026-11-20", text);
        Assert.Matches(@"[1-9][0-9]* result\(s\)", text);
        Assert.Contains("thumbnails (people pixelated)", text.ReplaceLineEndings(" "));
        var (code2, text2, error2) = await VigieProcess.RunAsync(["search", Index, "--zone", "b"]);
        Assert.Equal(0, code2);
        Assert.Contains("0 results", text2);
        Assert.Contains("no track of this index visited a zone named 'b' (visited: B)", error2);
    }

    [Fact]
    public async Task A_recording_started_on_the_site_clock_is_searched_and_shown_on_it()
    {
        var folder = TestPaths.TempFolder();
        var clip = await FfmpegTool.RecordingWithGapAsync(folder, partSeconds: 6);
        var config = Path.Combine(folder, "site.yaml");
        await File.WriteAllTextAsync(config, "time_zone: Asia/Kolkata\ncameras: [{ name: quay }]\n");
        var index = Path.Combine(folder, "case");
        // 09:00 in Kolkata (UTC+05:30), written without an offset.
        var (code, output, error) = await VigieProcess.RunAsync(["index", clip, "--config", config, "--out", index, "--start", "2026-11-20T09:00"]);
        Assert.True(code == 0, $"index exit {code}: {output} {error}");

        var (searched, text, _) = await VigieProcess.RunAsync(["search", index, "--from", "09:00", "--to", "09:01"]);
        Assert.Equal(0, searched);
        Assert.Contains("on 2026-11-20, times UTC+05:30", text);
        Assert.Matches(@"│ 09:00:0\d", text);
        // The same minute on UTC's clock is hours earlier: nothing.
        var (_, utc, _) = await VigieProcess.RunAsync(["search", index, "--from", "2026-11-20T09:00Z", "--to", "2026-11-20T09:01Z"]);
        Assert.Contains("0 results", utc);
    }

    [Fact]
    public async Task Footage_missing_in_the_searched_span_is_told_with_the_results()
    {
        var folder = TestPaths.TempFolder();
        var clip = await FfmpegTool.RecordingWithGapAsync(folder, partSeconds: 6);
        var index = Path.Combine(folder, "case");
        var (code, output, error) = await VigieProcess.RunAsync(["index", clip, "--out", index, "--start", "2026-11-20T09:00:00Z"]);
        Assert.True(code == 0, $"index exit {code}: {output} {error}");

        var (searched, text, _) = await VigieProcess.RunAsync(["search", index]);
        Assert.Equal(0, searched);
        Assert.Contains("no picture for 10.0 s of this span (nothing can be found there):", text);
        Assert.Matches(@"camera  09:00:0[56] – 09:00:1[56]  \(10\.0 s, gap\.mp4\)", text);
        // With --json the results stay one per line; the note goes with the messages.
        var (_, json, messages) = await VigieProcess.RunAsync(["search", index, "--json"]);
        Assert.DoesNotContain("no picture", json);
        Assert.Contains("no picture for 10.0 s", messages);
        // A span the gap is not in says nothing of it.
        var (_, after, _) = await VigieProcess.RunAsync(["search", index, "--from", "09:00:16"]);
        Assert.DoesNotContain("no picture", after);
        // A synopsis of the span says it too, and its report gives the total.
        var synopsis = Path.Combine(folder, "synopsis.mp4");
        var (made, condensed, synopsisErrors) = await VigieProcess.RunAsync(["synopsis", index, "--out", synopsis, "--length", "5s"]);
        Assert.True(made == 0, $"synopsis exit {made}: {condensed} {synopsisErrors}");
        Assert.Contains("no picture for 10.0 s of this span", condensed);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(synopsis, ".json")));
        Assert.Equal(10.0, report.RootElement.GetProperty("no_picture_s").GetDouble(), 0);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Synopsis_progress_goes_forward_to_its_total()
    {
        using var index = TrackIndex.OpenExisting(Index);
        var reported = new List<VideoProgress>();
        var output = Path.Combine(_folder, "progress.mp4");
        await Synopsis.RenderAsync(index, new SynopsisRequest(new TrackQuery { Limit = 10000 }, new SynopsisTarget(15, null), output, PrivacyFilter.PeopleOnly),
            null, reported.Add, CancellationToken.None);
        Assert.True(reported.Count > 10);
        Assert.All(reported.Zip(reported.Skip(1)), pair => Assert.True(pair.Second.Done >= pair.First.Done));
        Assert.Equal(reported[^1].Total, reported[^1].Done);
        Assert.True(reported[^1].Total.TotalSeconds >= 15, $"total {reported[^1].Total}: the stretches decoded and the synopsis written");
    }

    [Fact]
    public void The_index_keeps_no_appearance_of_people_and_no_images_in_the_database()
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Index, TrackIndex.FileName)};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var columns = db.CreateCommand();
        columns.CommandText = "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
        using (var r = columns.ExecuteReader())
            while (r.Read())
            {
                Assert.NotEqual("BLOB", r.GetString(2), StringComparer.OrdinalIgnoreCase);
                Assert.DoesNotMatch("(?i)face|embedding|descriptor|feature|appearance|clothing|plate|identity", r.GetString(1));
            }
        using var people = db.CreateCommand();
        people.CommandText = "SELECT COUNT(*) FROM tracks WHERE category IN ('person', 'moving') AND colour IS NOT NULL";
        Assert.Equal(0L, (long)people.ExecuteScalar()!);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_its_reason()
    {
        var (code, _, error) = await VigieProcess.RunAsync(["index", Path.Combine(_folder, "missing.mp4"), "--out", Path.Combine(_folder, "x")]);
        Assert.Equal(2, code);
        Assert.Contains("no such file or folder", error);
        var broken = Path.Combine(_folder, "broken", "cam1.mp4");
        Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
        await File.WriteAllBytesAsync(broken, new byte[4096]);
        File.Copy(Clip, Path.Combine(_folder, "broken", "cam2.mp4"));
        var (code2, output2, error2) = await VigieProcess.RunAsync(["index", Path.GetDirectoryName(broken)!, "--out", Path.Combine(_folder, "y")]);
        Assert.Equal(1, code2);
        Assert.Contains("1 recording(s) had problems", error2);
        Assert.Contains("cam2.mp4", output2);
        var (code4, _, error4) = await VigieProcess.RunAsync(["index", Clip, "--model", Path.Combine(_folder, "scene.yaml"), "--out", Path.Combine(_folder, "z")]);
        Assert.Equal(2, code4);
        Assert.Contains("not a loadable ONNX model", error4);
        var (code3, _, error3) = await VigieProcess.RunAsync(["search", Path.Combine(_folder, "nothing-here")]);
        Assert.Equal(2, code3);
        Assert.Contains("no index here", error3);
    }
}

/// <summary>The rules run on a recording cut into pieces with motion gating exactly as they do live.</summary>
public class IndexAsLiveTests
{
    private sealed class Events : Vigie.Pipeline.IAnalysisObserver
    {
        public List<Vigie.Analytics.SceneEvent> Closed { get; } = [];
        public void OnEvent(Vigie.Analytics.EventChange change)
        {
            if (change.Closed) Closed.Add(change.Event);
        }
    }

    private sealed class MovingBoxes : Vigie.Pipeline.IAnalysisObserver
    {
        public List<string> Frames { get; } = [];
        public void OnFrameAnalysed(Vigie.Pipeline.AnalysedFrame frame) =>
            Frames.Add($"{frame.Frame.Timestamp.TotalSeconds:0.00}: {string.Join(" ", frame.Detections.Select(d => d.Box))}");
    }

    /// <summary>
    /// A background model must see the footage as decoded live: skipping the codec's deblocking leaves
    /// drifting block edges in a walker's wake until the next key frame, which the motion detector took
    /// for a trailing object (a track split in two, then a ghost).
    /// </summary>
    [Fact]
    public async Task The_motion_detector_sees_the_same_moving_things_when_indexing_as_live()
    {
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "walker.mp4");
        new SyntheticScene(640, 360, 25, TimeSpan.FromSeconds(12),
            [new Walker(TimeSpan.FromSeconds(1), new Point2(660, 240), new Point2(-60, 0)), new Walker(TimeSpan.FromSeconds(3), new Point2(-20, 320), new Point2(80, 0))])
            .WriteVideo(clip);
        var config = Vigie.Config.ConfigLoader.Parse("analysis: { fps: 25 }");

        async Task<List<string>> Detections(bool forensic)
        {
            var boxes = new MovingBoxes();
            await using var prepared = await Vigie.Pipeline.AnalysisSetup.PrepareAsync(
                new Vigie.Pipeline.AnalysisRequest(clip, config) { Forensic = forensic }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            await prepared.Pipeline.RunAsync(boxes, CancellationToken.None);
            return boxes.Frames;
        }

        var live = await Detections(forensic: false);
        var indexing = await Detections(forensic: true);
        Assert.Contains(live, f => f.Contains("Box", StringComparison.Ordinal));
        Assert.Equal(live, indexing);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Indexing_in_pieces_raises_the_same_events_as_a_live_run()
    {
        var truth = Vigie.Evaluation.GroundTruth.Load(TestPaths.Clip("ground_truth.json"));
        var clip = truth.Clips.First(c => c.File == "intrusion/table_zone_one_by_one.mp4");
        var config = new Vigie.Config.SceneConfig { Cameras = [Vigie.Evaluation.Evaluator.CameraFor(clip)] };
        config.Detector.Type = "onnx";
        config.Detector.Model = TestPaths.Model("yolox_nano.onnx");
        var path = TestPaths.Clip(clip.File);

        var live = new Events();
        await using (var prepared = await Vigie.Pipeline.AnalysisSetup.PrepareAsync(new Vigie.Pipeline.AnalysisRequest(path, config), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
            await prepared.Pipeline.RunAsync(live, CancellationToken.None);

        var folder = TestPaths.TempFolder();
        var summary = await Indexer.RunAsync(new IndexRequest([path], config, folder, () => PrivacyFilter.PeopleOnly) { Workers = 2 }, null,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        Assert.Equal(2, summary.Pieces);
        Assert.True(summary.FramesGated > 0, "motion gating skipped the detector somewhere");
        using var index = TrackIndex.OpenExisting(folder);
        var indexed = index.Events();

        Assert.NotEmpty(live.Closed);
        Assert.Equal(live.Closed.Count, indexed.Count);
        foreach (var e in live.Closed)
            Assert.Contains(indexed, i => i.Kind == e.Kind && i.Where == e.Where && Math.Abs(i.RaisedS - e.RaisedAt.TotalSeconds) <= 0.5);
        Directory.Delete(folder, recursive: true);
    }
}

/// <summary>A synopsis shows one scene: recordings of two picture sizes filed under one camera are refused, naming them.</summary>
public class MixedViewSynopsisTests
{
    [Fact]
    public async Task Recordings_of_different_picture_sizes_make_no_synopsis_and_are_named()
    {
        var folder = TestPaths.TempFolder();
        var recordings = Directory.CreateDirectory(Path.Combine(folder, "recordings")).FullName;
        foreach (var (name, width, height) in new[] { ("hall.mp4", 640, 360), ("yard.mp4", 320, 240) })
            new SyntheticScene(width, height, 25, TimeSpan.FromSeconds(8), [new Walker(TimeSpan.FromSeconds(1), new Point2(-20, height * 0.6f), new Point2(width / 5f, 0))])
                .WriteVideo(Path.Combine(recordings, name));
        var index = Path.Combine(folder, "case");
        var (code, output, error) = await VigieProcess.RunAsync(["index", recordings, "--out", index]);
        Assert.True(code == 0, $"index exit {code}: {output} {error}");

        var (synopsisCode, text, synopsisError) = await VigieProcess.RunAsync(["synopsis", index, "--out", Path.Combine(folder, "synopsis.mp4")]);
        Assert.Equal(2, synopsisCode);
        Assert.Contains("2 picture sizes (640×360: hall.mp4, 320×240: yard.mp4)", (text + synopsisError).Replace("\n", " ").ReplaceLineEndings(" "));
        Assert.False(File.Exists(Path.Combine(folder, "synopsis.mp4")));
        Directory.Delete(folder, recursive: true);
    }
}
