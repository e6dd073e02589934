using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Vigie.Alerts;
using Vigie.Cli.Terminal;
using Vigie.Forensics;
using Vigie.Perception;
using Vigie.Video;

namespace Vigie.Cli.Commands;

/// <summary>`vigie synopsis`: hours of one camera's indexed footage condensed into a short video.</summary>
public static class SynopsisCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("index") { Description = "Index folder made by `vigie index`." };
        var filters = new SearchOptions();
        var output = new Option<string>("--out", "-o") { Description = "The synopsis video (.mp4); a .json report is written beside it.", DefaultValueFactory = _ => "synopsis.mp4" };
        var length = new Option<string?>("--length") { Description = "Target length (60s, 2m): objects are packed into it, overlapping if they must. Default 60s." };
        var density = new Option<int?>("--density") { Description = "Instead of a length: at most this many objects at once; the length follows." };
        var fps = new Option<double>("--fps") { Description = "Frames per second of the synopsis.", DefaultValueFactory = _ => 10 };
        var maxObject = new Option<string>("--max-object-time") { Description = "Show each object for at most this long (a parked car would fill the synopsis).", DefaultValueFactory = _ => "30s" };
        var faces = new Option<string?>("--face-model") { Description = "YuNet face model: faces pixelated too (people are pixelated whole anyway)." };
        var command = new Command("synopsis", "Condense indexed footage: objects from different times play together, labelled with their clock time.")
        {
            folder, output, length, density, fps, maxObject, faces,
        };
        foreach (var o in filters.All) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            var faceModel = parse.GetValue(faces);
            if (faceModel is not null && !File.Exists(faceModel)) return AnalyzeCommand.Fail($"--face-model {faceModel}: no such file", AnalyzeCommand.ExitBadInput);
            if (parse.GetValue(density) is < 1) return AnalyzeCommand.Fail("--density must be at least 1", AnalyzeCommand.ExitBadInput);
            if (parse.GetValue(fps) is <= 0 or > 60) return AnalyzeCommand.Fail("--fps must be between 0 and 60", AnalyzeCommand.ExitBadInput);
            var outPath = parse.GetValue(output)!;
            try
            {
                using var index = TrackIndex.OpenExisting(parse.GetValue(folder)!);
                var targetLength = parse.GetValue(length) is { } l ? QueryText.Duration(l, "--length") : (TimeSpan?)null;
                if (targetLength is not null && parse.GetValue(density) is not null)
                    return AnalyzeCommand.Fail("--length and --density: choose one", AnalyzeCommand.ExitBadInput);
                if (targetLength is { TotalSeconds: < 1 }) return AnalyzeCommand.Fail("--length must be at least 1 s", AnalyzeCommand.ExitBadInput);
                var target = parse.GetValue(density) is { } d
                    ? new SynopsisTarget(null, d)
                    : new SynopsisTarget((targetLength ?? TimeSpan.FromSeconds(60)).TotalSeconds, null);
                var request = new SynopsisRequest(filters.Query(parse, index, 10000), target, outPath,
                    faceModel is null ? PrivacyFilter.PeopleOnly : new PrivacyFilter(new FaceDetector(faceModel)))
                {
                    Fps = parse.GetValue(fps),
                    MaxObjectTime = QueryText.Duration(parse.GetValue(maxObject)!, "--max-object-time"),
                };
                var bar = new ProgressDisplay(null, live: false, done: "of video decoded or written", frameRate: false);
                SynopsisReport? made = null;
                await bar.RunAsync("making the synopsis", async () =>
                    made = await PartialVideo.WriteAsync(outPath, partial =>
                        Synopsis.RenderAsync(index, request with { OutputPath = partial }, bar.Say, p => bar.AdvanceTo(p.Done, p.Total), ct)));
                var report = made!;
                var missing = index.Missing(report.Camera, request.Query.From, request.Query.To);
                var reportPath = Path.ChangeExtension(outPath, ".json");
                await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(new
                {
                    report.Camera, report.Objects, source_s = Math.Round(report.SourceS, 1), synopsis_s = Math.Round(report.SynopsisS, 1),
                    condensation = Math.Round(report.Condensation, 2), overlap_fraction = Math.Round(report.OverlapFraction, 4),
                    colliding_pairs = report.CollidingPairs, placed = report.Placed, no_picture_s = Math.Round(missing.Sum(m => m.LengthS), 1),
                }, JsonLinesWriter.Options), ct);
                AnsiConsole.WriteLine($"synopsis: {outPath} ({report.Objects} objects of {Clock.Duration(TimeSpan.FromSeconds(report.SourceS))} of footage "
                    + $"in {Clock.Duration(TimeSpan.FromSeconds(report.SynopsisS))}: condensation {report.Condensation:0.0}x; "
                    + $"overlap {100 * report.OverlapFraction:0.0}% of object area, {report.CollidingPairs} colliding pair(s)); report: {reportPath}");
                if (target.LengthS is { } asked && report.SynopsisS > asked + 0.5)
                    AnsiConsole.WriteLine($"note: longer than the {Clock.Duration(TimeSpan.FromSeconds(asked))} asked: each object plays whole, up to "
                        + $"--max-object-time ({Clock.Duration(request.MaxObjectTime)}); a shorter --max-object-time gives a shorter synopsis");
                SearchCommand.NoteMissing(missing, Console.Out);
                return AnalyzeCommand.ExitOk;
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or FormatException or VideoSourceException)
            {
                return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
            }
            catch (IOException e)
            {
                return AnalyzeCommand.Fail($"writing the synopsis failed: {e.Message}", AnalyzeCommand.ExitFailed);
            }
        });
        return command;
    }
}
