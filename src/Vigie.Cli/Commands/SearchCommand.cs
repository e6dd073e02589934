using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Vigie.Alerts;
using Vigie.Cli.Terminal;
using Vigie.Forensics;
using Vigie.Perception;
using Vigie.Video;

namespace Vigie.Cli.Commands;

/// <summary>The search options `vigie search` and `vigie synopsis` share, and how they become a query.</summary>
public sealed class SearchOptions
{
    public Option<string[]> Class { get; } = new("--class") { Description = "person, vehicle, bag, object (bags and other objects), animal, weapon, moving, other; repeat or comma-separate.", AllowMultipleArgumentsPerToken = true };
    public Option<string?> Camera { get; } = new("--camera") { Description = "Only this camera." };
    public Option<string?> From { get; } = new("--from") { Description = "From this time: 14:00 (on the day the footage starts) or 2026-11-23T14:00." };
    public Option<string?> To { get; } = new("--to") { Description = "Until this time (same forms as --from)." };
    public Option<string?> Zone { get; } = new("--zone") { Description = "Visited this zone of the config." };
    public Option<string?> MinDwell { get; } = new("--min-dwell") { Description = "With --zone: stayed at least this long in one visit (90s, 2m)." };
    public Option<string?> Line { get; } = new("--line") { Description = "Crossed this line of the config." };
    public Option<string?> Direction { get; } = new("--direction") { Description = "With --line: left_to_right, right_to_left, or a compass point (east = rightwards in the image)." };
    public Option<string?> Heading { get; } = new("--heading") { Description = "Overall heading: north (up the image), north-east, east, … within 45°." };
    public Option<double?> MinSpeed { get; } = new("--min-speed") { Description = "Median speed at least (m/s on a calibrated camera, else image fractions per second)." };
    public Option<double?> MaxSpeed { get; } = new("--max-speed") { Description = "Median speed at most." };
    public Option<string?> Colour { get; } = new("--colour") { Description = $"Vehicles and objects only: {string.Join(", ", DominantColour.Names)}." };
    public Option<string?> MinDuration { get; } = new("--min-duration") { Description = "Seen for at least this long (30s, 2m)." };

    public IEnumerable<Option> All => [Class, Camera, From, To, Zone, MinDwell, Line, Direction, Heading, MinSpeed, MaxSpeed, Colour, MinDuration];

    /// <summary>The query, checked; FormatException names every option at fault.</summary>
    public TrackQuery Query(ParseResult parse, TrackIndex index, int limit)
    {
        var day = index.Recordings().Select(r => r.StartClock).DefaultIfEmpty(DateTimeOffset.Now).Min();
        var text = new Dictionary<string, string?>
        {
            ["camera"] = parse.GetValue(Camera), ["from"] = parse.GetValue(From), ["to"] = parse.GetValue(To), ["zone"] = parse.GetValue(Zone),
            ["min_dwell"] = parse.GetValue(MinDwell), ["line"] = parse.GetValue(Line), ["direction"] = parse.GetValue(Direction),
            ["heading"] = parse.GetValue(Heading), ["min_speed"] = parse.GetValue(MinSpeed)?.ToString(CultureInfo.InvariantCulture),
            ["max_speed"] = parse.GetValue(MaxSpeed)?.ToString(CultureInfo.InvariantCulture), ["colour"] = parse.GetValue(Colour),
            ["min_duration"] = parse.GetValue(MinDuration), ["limit"] = limit.ToString(CultureInfo.InvariantCulture),
        };
        var (query, problems) = QueryText.Read(name => text.GetValueOrDefault(name), parse.GetValue(Class) ?? [], day, limit,
            name => "--" + name.Replace('_', '-'));
        if (problems.Count > 0) throw new FormatException(string.Join("; ", problems.Select(p => p.Message)));
        return query;
    }
}

/// <summary>`vigie search`: what moved where and when, from an index made by `vigie index`.</summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("index") { Description = "Index folder made by `vigie index`." };
        var filters = new SearchOptions();
        var limit = new Option<int>("--limit") { Description = "At most this many results.", DefaultValueFactory = _ => 200 };
        var json = new Option<bool>("--json") { Description = "One JSON object per result (JSON Lines) instead of a table." };
        var excerpts = new Option<string?>("--excerpts") { Description = "Write a short video of each result here (people pixelated): the jump to the moment." };
        var faces = new Option<string?>("--face-model") { Description = "YuNet face model, to pixelate faces in excerpts as well." };
        var command = new Command("search", "Search an index: tracks by class, time, zone, line and direction, heading, speed, colour (objects only).")
        {
            folder, limit, json, excerpts, faces,
        };
        foreach (var o in filters.All) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            TrackIndex index;
            try
            {
                index = TrackIndex.OpenExisting(parse.GetValue(folder)!);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
            {
                return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
            }
            using (index)
            {
                IReadOnlyList<IndexedTrack> hits;
                try
                {
                    hits = index.Search(filters.Query(parse, index, parse.GetValue(limit)));
                }
                catch (FormatException e)
                {
                    return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
                }
                if (parse.GetValue(json))
                    foreach (var hit in hits) Console.WriteLine(JsonSerializer.Serialize(SearchHit.From(hit, hit.Thumbnail is null ? null : Path.Combine(index.Folder, hit.Thumbnail)), JsonLinesWriter.Options));
                else
                    PrintTable(hits, index.Folder);
                if (parse.GetValue(excerpts) is { } excerptFolder)
                {
                    var faceModel = parse.GetValue(faces);
                    var privacy = faceModel is null ? PrivacyFilter.PeopleOnly : new PrivacyFilter(new FaceDetector(faceModel));
                    Directory.CreateDirectory(excerptFolder);
                    foreach (var hit in hits)
                    {
                        var path = Path.Combine(excerptFolder, $"track-{hit.Id}.mp4");
                        try
                        {
                            await Excerpts.WriteAsync(index, hit, path, privacy, ct);
                            Console.Error.WriteLine($"excerpt: {path}");
                        }
                        catch (VideoSourceException e)
                        {
                            Console.Error.WriteLine($"error: track {hit.Id}: {e.Message}");
                        }
                    }
                }
                return AnalyzeCommand.ExitOk;
            }
        });
        return command;
    }

    private static void PrintTable(IReadOnlyList<IndexedTrack> hits, string folder)
    {
        var table = new Table().AddColumns("id", "class", "camera", "from", "for", "zones", "lines", "heading", "speed", "colour", "jump to", "thumbnail");
        foreach (var h in hits)
        {
            var f = h.Facts;
            table.AddRow($"{h.Id}", TrackIndex.CategoryName(f.Category), Markup.Escape(h.Recording.Camera), $"{h.StartClock:yyyy-MM-dd HH:mm:ss}",
                Clock.Duration(TimeSpan.FromSeconds(f.EndS - f.StartS)),
                Markup.Escape(string.Join(", ", f.Zones.Select(z => $"{z.Zone} {z.DwellS:0}s"))),
                Markup.Escape(string.Join(", ", f.Lines.Select(l => $"{l.Line} {l.Direction} ({l.Heading})"))),
                f.Heading, $"{f.Speed:0.###} {f.SpeedUnit}", h.Colour ?? "", Markup.Escape($"{Path.GetFileName(h.Recording.Path)} @ {Clock.Offset(f.StartS)}"),
                Markup.Escape(h.Thumbnail is null ? "" : Path.Combine(folder, h.Thumbnail)));
        }
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"{hits.Count} result(s)");
    }
}
