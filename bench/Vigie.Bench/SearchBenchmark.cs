using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Vigie.Forensics;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Bench;

/// <summary>One search measured on a synthetic case, with the index as `vigie index` builds it and without its per-track lookups.</summary>
public sealed record SearchRow(int Tracks, int Hits, double IndexedMs, double WithoutLookupsMs)
{
    public double Speedup => WithoutLookupsMs / IndexedMs;
}

/// <summary>
/// Forensic search speed: a search returning thousands of tracks (what a synopsis selects) on a case of
/// many tracks. Each hit reads its zone visits and line crossings; the baseline, measured in the same
/// run, is the same case with the indexes on those lookups dropped (the index format before 2026-11-23).
/// </summary>
public static class SearchBenchmark
{
    private const int Recordings = 2;
    private const int TracksPerRecording = 5000;

    public static SearchRow Run(int runs, Action<string> report)
    {
        var folder = Path.Combine(Path.GetTempPath(), "vigie-bench-search-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (var index = TrackIndex.Create(folder)) Fill(index);
            var query = new TrackQuery { Limit = Recordings * TracksPerRecording };
            var indexed = Measure(folder, query, runs, "with lookup indexes", report, dropLookups: false);
            var without = Measure(folder, query, runs, "without", report, dropLookups: true);
            return new SearchRow(Recordings * TracksPerRecording, indexed.Hits, indexed.Ms, without.Ms);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (int Hits, double Ms) Measure(string folder, TrackQuery query, int runs, string name, Action<string> report, bool dropLookups)
    {
        var times = new List<double>();
        var hits = 0;
        using var index = TrackIndex.OpenExisting(folder);
        // Opening adds the lookup indexes; the baseline takes them away again behind the open index's back.
        if (dropLookups)
        {
            using var db = new SqliteConnection($"Data Source={Path.Combine(folder, TrackIndex.FileName)}");
            db.Open();
            using var drop = db.CreateCommand();
            drop.CommandText = "DROP INDEX track_zones_track; DROP INDEX track_lines_track;";
            drop.ExecuteNonQuery();
        }
        for (int run = 0; run < runs; run++)
        {
            var sw = Stopwatch.StartNew();
            hits = index.Search(query).Count;
            times.Add(sw.Elapsed.TotalMilliseconds);
            report($"search {name}: run {run + 1}/{runs}: {hits} hits in {times[^1]:0} ms");
        }
        return (hits, PipelineBenchmark.Median(times));
    }

    /// <summary>People crossing a hall, each visiting two zones and crossing a line, one every 0.7 s.</summary>
    private static void Fill(TrackIndex index)
    {
        for (int rec = 0; rec < Recordings; rec++)
        {
            var tracks = new List<(TrackFacts, IndexedPath)>();
            for (int i = 0; i < TracksPerRecording; i++)
            {
                var s = i * 0.7;
                PathPoint[] points = [new(s, new Box(10, 300, 30, 80)), new(s + 5, new Box(600, 300, 30, 80))];
                var facts = new TrackFacts(Category.Person, "person", s, s + 5, [new ZoneVisit("hall", s, s + 3), new ZoneVisit("door", s + 3, s + 5)],
                    [new LineCrossing("gate", "left_to_right", "east", s + 2)], 90, "east", 0.2, "image/s", 0.01);
                tracks.Add((facts, new IndexedPath(new TrackPath(Category.Person, "person", points), null, null)));
            }
            index.Add(new IndexedRecording(0, $"/recordings/cam-{rec}.mp4", "hall", DateTimeOffset.UnixEpoch.AddHours(rec), 3600, 1280, 720, 25, "bench", null),
                tracks, [], []);
        }
    }

    public static string ToMarkdown(SearchRow row, int runs, string machine, DateTimeOffset when)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = BenchParts.Section("Forensic search (`vigie bench --search`)", machine, when);
        sb.AppendLine(inv, $"- Synthetic case: {row.Tracks} person tracks in {Recordings} recordings, each with two zone visits and one line crossing; one search returning all of them (as a synopsis selection does); median of {runs} runs.");
        sb.AppendLine("- Baseline in the same run: the same index without the indexes on the per-track zone and line lookups (as indexes made before 2026-11-23 were; opening one now adds them).");
        sb.AppendLine();
        sb.AppendLine("| tracks | hits | search ms | without lookup indexes ms | speed-up |");
        sb.AppendLine("|---|---|---|---|---|");
        sb.AppendLine(inv, $"| {row.Tracks} | {row.Hits} | {row.IndexedMs:0} | {row.WithoutLookupsMs:0} | {row.Speedup:0}× |");
        return sb.ToString();
    }
}
