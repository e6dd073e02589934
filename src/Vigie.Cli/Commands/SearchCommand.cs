using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Vigie.Alerts;
using Vigie.Cli.Terminal;
using Vigie.Config;
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
        var day = index.FootageStart();
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
                TrackQuery query;
                try
                {
                    query = filters.Query(parse, index, parse.GetValue(limit));
                    hits = index.Search(query);
                    if (hits.Count == 0) NoteUnvisited(query, index);
                }
                catch (FormatException e)
                {
                    return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
                }
                if (parse.GetValue(json))
                    foreach (var hit in hits) Console.WriteLine(JsonSerializer.Serialize(SearchHit.From(hit, hit.Thumbnail is null ? null : Path.Combine(index.Folder, hit.Thumbnail)), JsonLinesWriter.Options));
                else
                    PrintTable(hits, index.Folder);
                NoteMissing(index.Missing(query.Camera, query.From, query.To), parse.GetValue(json) ? Console.Error : Console.Out);
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
                            await PartialVideo.WriteAsync(path, partial => Excerpts.WriteAsync(index, hit, partial, privacy, ct));
                            Console.Error.WriteLine($"excerpt: {path}");
                        }
                        catch (VideoSourceException e)
                        {
                            Console.Error.WriteLine($"error: track {hit.Id}: {e.Message}");
                        }
                        catch (IOException e)
                        {
                            // A full disk: the excerpts written so far stay, the half-written one is gone, the next ones would fail the same way.
                            return AnalyzeCommand.Fail($"writing excerpts failed: {e.Message}", AnalyzeCommand.ExitFailed);
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
        if (hits.Count == 0)
        {
            AnsiConsole.WriteLine("0 results");
            return;
        }
        // Columns that would be empty for every result are left out, and a thumbnail's path goes below
        // unless the terminal is wide: a usual one cannot show them all.
        var thumbnails = AnsiConsole.Profile.Width >= 160;
        var oneDay = hits.Select(h => h.StartClock.Date).Distinct().Count() == 1;
        var units = hits.Select(h => h.Facts.SpeedUnit).Distinct().ToList();
        var columns = new List<(string Name, Func<IndexedTrack, string> Cell)>
        {
            ("id", h => $"{h.Id}"),
            ("class", h => TrackIndex.CategoryName(h.Facts.Category)),
        };
        if (hits.Select(h => h.Recording.Camera).Distinct().Count() > 1) columns.Add(("camera", h => h.Recording.Camera));
        columns.Add((oneDay ? "from" : "from (date)", h => oneDay ? $"{h.StartClock:HH:mm:ss}" : $"{h.StartClock:yyyy-MM-dd HH:mm:ss}"));
        columns.Add(("for", h => Clock.Duration(TimeSpan.FromSeconds(h.Facts.EndS - h.Facts.StartS))));
        if (hits.Any(h => h.Facts.Zones.Count > 0)) columns.Add(("zones (dwell)", h => string.Join(", ", h.Facts.Zones.Select(z => $"{z.Zone} {z.DwellS:0}s"))));
        if (hits.Any(h => h.Facts.Lines.Count > 0)) columns.Add(("lines crossed", h => string.Join(", ", h.Facts.Lines.Select(l => $"{l.Line} → {l.Towards}"))));
        columns.Add(("heading", h => h.Facts.Heading));
        columns.Add((units.Count == 1 ? $"speed ({units[0]})" : "speed", h => units.Count == 1 ? $"{h.Facts.Speed:0.###}" : $"{h.Facts.Speed:0.###} {h.Facts.SpeedUnit}"));
        if (hits.Any(h => h.Colour is not null)) columns.Add(("colour", h => h.Colour ?? ""));
        columns.Add(("jump to", h => $"{Path.GetFileName(h.Recording.Path)} @ {Clock.Offset(h.Facts.StartS)}"));
        if (thumbnails) columns.Add(("thumbnail", h => h.Thumbnail is null ? "" : Path.Combine(folder, h.Thumbnail)));

        var table = new Table().AddColumns(columns.Select(c => c.Name).ToArray());
        // The clock the recordings were indexed on (the config's time_zone): its offset, as times alone do not say it.
        var offsets = string.Join(", ", hits.Select(h => h.StartClock.Offset).Distinct().Select(SiteTime.Offset));
        table.Title = new TableTitle(oneDay ? $"on {hits[0].StartClock:yyyy-MM-dd}, times {offsets}" : $"times {offsets}");
        foreach (var h in hits) table.AddRow(columns.Select(c => Markup.Escape(c.Cell(h))).ToArray());
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"{hits.Count} result(s)");
        if (!thumbnails && hits.Any(h => h.Thumbnail is not null))
            AnsiConsole.WriteLine($"thumbnails (people pixelated): {Path.Combine(folder, "thumbs")}; --json gives each result's");
    }

    private const int MissingListed = 10;

    /// <summary>
    /// Footage missing in the searched span: nothing found there proves nothing, so the investigator is told,
    /// on the results' output (on errors' with --json, which keeps one result per line).
    /// </summary>
    internal static void NoteMissing(IReadOnlyList<MissingFootage> missing, TextWriter output)
    {
        if (missing.Count == 0) return;
        var total = TimeSpan.FromSeconds(missing.Sum(m => m.LengthS));
        output.WriteLine($"no picture for {Clock.Duration(total)} of this span (nothing can be found there):");
        var oneDay = missing.Select(m => m.From.Date).Concat(missing.Select(m => m.To.Date)).Distinct().Count() == 1;
        var format = oneDay ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss";
        foreach (var m in missing.Take(MissingListed))
            output.WriteLine($"  {m.Camera}  {m.From.ToString(format, CultureInfo.InvariantCulture)} – {m.To.ToString(format, CultureInfo.InvariantCulture)}  ({Clock.Duration(TimeSpan.FromSeconds(m.LengthS))}, {m.Where})");
        if (missing.Count > MissingListed) output.WriteLine($"  … and {missing.Count - MissingListed} more");
    }

    /// <summary>A zone or line no track visited gives no result: say so, a misspelt name looks just like that.</summary>
    private static void NoteUnvisited(TrackQuery query, TrackIndex index)
    {
        var (zones, lines) = index.Places();
        if (query.Zone is { } zone && !zones.Contains(zone))
            Console.Error.WriteLine($"note: no track of this index visited a zone named '{zone}' (visited: {(zones.Count == 0 ? "none" : string.Join(", ", zones))})");
        if (query.Line is { } line && !lines.Contains(line))
            Console.Error.WriteLine($"note: no track of this index crossed a line named '{line}' (crossed: {(lines.Count == 0 ? "none" : string.Join(", ", lines))})");
    }
}
