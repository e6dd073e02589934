using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Video;

namespace Vigie.Forensics;

/// <summary>A recording as indexed: where it is, which camera, when it starts.</summary>
public sealed record IndexedRecording(long Id, string Path, string Camera, DateTimeOffset StartClock, double DurationS,
    int Width, int Height, double Fps, string Detector, string? Background);

/// <summary>A search hit: a track with its facts, its recording and where its thumbnail is.</summary>
public sealed record IndexedTrack(long Id, IndexedRecording Recording, TrackFacts Facts, string? Colour, string? Thumbnail,
    IReadOnlyList<PathPoint> Path)
{
    public DateTimeOffset StartClock => Recording.StartClock + TimeSpan.FromSeconds(Facts.StartS);
    public DateTimeOffset EndClock => Recording.StartClock + TimeSpan.FromSeconds(Facts.EndS);
}

/// <summary>
/// A stretch of a camera's indexed footage with no picture: a gap inside a recording (the recorder paused)
/// or between two recordings of the camera. Finding nothing there proves nothing.
/// </summary>
public sealed record MissingFootage(string Camera, DateTimeOffset From, DateTimeOffset To, string Where)
{
    public double LengthS => Math.Round((To - From).TotalSeconds, 1);
}

/// <summary>An event a rule raised while indexing, as stored.</summary>
public sealed record IndexedEvent(long RecordingId, string Camera, string Kind, string Where, double StartS, double? EndS,
    double RaisedS, DateTimeOffset RaisedClock, double Score, string Detail);

/// <summary>
/// The forensic index of a case: one SQLite file beside the thumbnails. Tracks of objects, the zones
/// they visited, the lines they crossed, and the events raised; no image of a person is stored in it.
/// </summary>
public sealed class TrackIndex : IDisposable
{
    public const string FileName = "index.db";
    private const int SchemaVersion = 1;
    private readonly SqliteConnection _db;
    private SqliteTransaction? _tx;

    private TrackIndex(SqliteConnection db, string folder)
    {
        _db = db;
        Folder = folder;
    }

    public string Folder { get; }

    public static TrackIndex Create(string folder)
    {
        Directory.CreateDirectory(folder);
        var index = Open(folder, create: true);
        try
        {
            index.CreateTables();
        }
        catch (SqliteException e)
        {
            index.Dispose();
            throw new IOException($"cannot create the index in {folder}: {e.Message}", e);
        }
        return index;
    }

    private void CreateTables()
    {
        Execute("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS recordings (id INTEGER PRIMARY KEY, path TEXT NOT NULL, camera TEXT NOT NULL,
                start_clock TEXT NOT NULL, duration_s REAL NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, fps REAL NOT NULL,
                detector TEXT NOT NULL, indexed_at TEXT NOT NULL, background TEXT);
            CREATE TABLE IF NOT EXISTS tracks (id INTEGER PRIMARY KEY, recording_id INTEGER NOT NULL REFERENCES recordings(id),
                camera TEXT NOT NULL, category TEXT NOT NULL, label TEXT NOT NULL, start_s REAL NOT NULL, end_s REAL NOT NULL,
                start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, heading_deg REAL, heading TEXT NOT NULL, speed REAL NOT NULL,
                speed_unit TEXT NOT NULL, size REAL NOT NULL, colour TEXT, thumbnail TEXT, path TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS tracks_time ON tracks (start_ms, end_ms);
            CREATE TABLE IF NOT EXISTS track_zones (track_id INTEGER NOT NULL REFERENCES tracks(id), zone TEXT NOT NULL,
                enter_s REAL NOT NULL, leave_s REAL NOT NULL, dwell_s REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS track_lines (track_id INTEGER NOT NULL REFERENCES tracks(id), line TEXT NOT NULL,
                direction TEXT NOT NULL, heading TEXT NOT NULL, at_s REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, recording_id INTEGER NOT NULL REFERENCES recordings(id),
                camera TEXT NOT NULL, kind TEXT NOT NULL, where_ TEXT NOT NULL, start_s REAL NOT NULL, end_s REAL, raised_s REAL NOT NULL,
                raised_clock TEXT NOT NULL, score REAL NOT NULL, detail TEXT NOT NULL);
            """);
        AddLaterParts();
        if (Scalar("SELECT COUNT(*) FROM schema_version") == 0)
            Execute($"INSERT INTO schema_version VALUES ({SchemaVersion})");
    }

    /// <summary>Opens an existing index; a clear error when the folder holds none.</summary>
    public static TrackIndex OpenExisting(string folder)
    {
        if (!File.Exists(Path.Combine(folder, FileName)))
            throw new FileNotFoundException($"{folder}: no index here (expected {FileName}; create one with `vigie index`)");
        var index = Open(folder, create: false);
        var version = index.Scalar("SELECT version FROM schema_version");
        if (version != SchemaVersion)
        {
            index.Dispose();
            throw new InvalidDataException($"{folder}: index format {version}, this Vigie reads format {SchemaVersion}: index the recordings again");
        }
        try
        {
            index.AddLaterParts();
        }
        catch (SqliteException)
        {
            // A case on read-only storage is still searched, only more slowly.
        }
        return index;
    }

    /// <summary>
    /// Added to the format after cases were made with it, so added on opening too: lookup indexes (each
    /// search hit reads its zone visits and line crossings, which without them scans both tables;
    /// 2026-11-23) and the gaps in recordings (2026-11-24; a case indexed before has none listed).
    /// </summary>
    private void AddLaterParts() => Execute("""
        CREATE INDEX IF NOT EXISTS track_zones_track ON track_zones (track_id);
        CREATE INDEX IF NOT EXISTS track_lines_track ON track_lines (track_id);
        CREATE INDEX IF NOT EXISTS tracks_recording ON tracks (recording_id);
        CREATE TABLE IF NOT EXISTS recording_gaps (recording_id INTEGER NOT NULL REFERENCES recordings(id), from_s REAL NOT NULL, to_s REAL NOT NULL);
        """);

    private static TrackIndex Open(string folder, bool create)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, FileName),
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        try
        {
            db.Open();
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new InvalidDataException($"{folder}: cannot open the index: {e.Message}", e);
        }
        return new TrackIndex(db, Path.GetFullPath(folder));
    }

    /// <summary>
    /// Stores one indexed recording in one transaction, replacing an earlier index of the same file
    /// and camera (indexing again is safe).
    /// </summary>
    /// <param name="gaps">Stretches of the recording with no picture, from its start.</param>
    public long Add(IndexedRecording recording, IReadOnlyList<(TrackFacts Facts, IndexedPath Path)> tracks, IReadOnlyList<SceneEvent> events,
        IReadOnlyList<FootageGap> gaps)
    {
        using var tx = _tx = _db.BeginTransaction();
        try
        {
            return AddInTransaction(tx, recording, tracks, events, gaps);
        }
        catch (SqliteException e)
        {
            // Rolled back: what the index held before is untouched. A full disk is the usual cause.
            throw new IOException($"cannot store {Path.GetFileName(recording.Path)} in the index {Folder}: {e.Message}", e);
        }
        finally
        {
            _tx = null;
        }
    }

    private long AddInTransaction(SqliteTransaction tx, IndexedRecording recording, IReadOnlyList<(TrackFacts Facts, IndexedPath Path)> tracks,
        IReadOnlyList<SceneEvent> events, IReadOnlyList<FootageGap> gaps)
    {
        var stale = new List<string>();
        foreach (var old in Ids("SELECT id FROM recordings WHERE path = $p AND camera = $c", ("$p", recording.Path), ("$c", recording.Camera)))
            stale.AddRange(Forget(old));
        var id = Insert("""
            INSERT INTO recordings (path, camera, start_clock, duration_s, width, height, fps, detector, indexed_at, background)
            VALUES ($path, $camera, $start, $duration, $w, $h, $fps, $detector, $at, $background) RETURNING id
            """,
            ("$path", recording.Path), ("$camera", recording.Camera), ("$start", recording.StartClock.ToString("O", CultureInfo.InvariantCulture)),
            ("$duration", recording.DurationS), ("$w", recording.Width), ("$h", recording.Height), ("$fps", recording.Fps),
            ("$detector", recording.Detector), ("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
            ("$background", (object?)recording.Background ?? DBNull.Value));
        foreach (var (facts, path) in tracks)
        {
            var trackId = Insert("""
                INSERT INTO tracks (recording_id, camera, category, label, start_s, end_s, start_ms, end_ms, heading_deg, heading,
                    speed, speed_unit, size, colour, thumbnail, path)
                VALUES ($r, $camera, $category, $label, $s, $e, $sms, $ems, $hd, $h, $speed, $unit, $size, $colour, $thumb, $path) RETURNING id
                """,
                ("$r", id), ("$camera", recording.Camera), ("$category", CategoryName(facts.Category)), ("$label", facts.Label),
                ("$s", facts.StartS), ("$e", facts.EndS), ("$sms", Ms(recording.StartClock, facts.StartS)), ("$ems", Ms(recording.StartClock, facts.EndS)),
                ("$hd", (object?)facts.HeadingDeg ?? DBNull.Value), ("$h", facts.Heading), ("$speed", facts.Speed), ("$unit", facts.SpeedUnit),
                ("$size", facts.Size), ("$colour", (object?)path.Colour ?? DBNull.Value), ("$thumb", (object?)path.Thumbnail?.File ?? DBNull.Value),
                ("$path", JsonSerializer.Serialize(path.Path.Points.Select(p => new[]
                    { Math.Round(p.T, 3), Math.Round(p.Box.X, 4), Math.Round(p.Box.Y, 4), Math.Round(p.Box.Width, 4), Math.Round(p.Box.Height, 4) }))));
            foreach (var v in facts.Zones)
                Insert("INSERT INTO track_zones VALUES ($t, $z, $in, $out, $dwell)", ("$t", trackId), ("$z", v.Zone), ("$in", v.EnterS),
                    ("$out", v.LeaveS), ("$dwell", v.DwellS));
            foreach (var c in facts.Lines)
                Insert("INSERT INTO track_lines VALUES ($t, $l, $d, $h, $at)", ("$t", trackId), ("$l", c.Line), ("$d", c.Direction),
                    ("$h", c.Towards), ("$at", c.AtS));
        }
        foreach (var e in events)
            Insert("""
                INSERT INTO events (recording_id, camera, kind, where_, start_s, end_s, raised_s, raised_clock, score, detail)
                VALUES ($r, $c, $k, $w, $s, $e, $raised, $clock, $score, $detail)
                """,
                ("$r", id), ("$c", e.Camera), ("$k", e.Kind), ("$w", e.Where), ("$s", e.Start.TotalSeconds),
                ("$e", e.End is { } end ? end.TotalSeconds : DBNull.Value), ("$raised", e.RaisedAt.TotalSeconds),
                ("$clock", (recording.StartClock + e.RaisedAt).ToString("O", CultureInfo.InvariantCulture)), ("$score", e.Score), ("$detail", e.Detail));
        foreach (var gap in gaps)
            Insert("INSERT INTO recording_gaps VALUES ($r, $from, $to)", ("$r", id), ("$from", gap.From.TotalSeconds), ("$to", gap.To.TotalSeconds));
        tx.Commit();
        // Old thumbnails go only once the new index is safely in.
        foreach (var thumb in stale.Where(t => !tracks.Any(x => x.Path.Thumbnail?.File == t))) File.Delete(Path.Combine(Folder, thumb));
        return id;
    }

    /// <returns>The thumbnails the forgotten tracks had.</returns>
    private List<string> Forget(long recordingId)
    {
        var thumbnails = Strings("SELECT thumbnail FROM tracks WHERE recording_id = $r AND thumbnail IS NOT NULL", ("$r", recordingId));
        foreach (var sql in new[]
                 {
                     "DELETE FROM track_zones WHERE track_id IN (SELECT id FROM tracks WHERE recording_id = $r)",
                     "DELETE FROM track_lines WHERE track_id IN (SELECT id FROM tracks WHERE recording_id = $r)",
                     "DELETE FROM tracks WHERE recording_id = $r", "DELETE FROM events WHERE recording_id = $r",
                     "DELETE FROM recording_gaps WHERE recording_id = $r",
                     "DELETE FROM recordings WHERE id = $r",
                 })
            Insert(sql, ("$r", recordingId));
        return thumbnails;
    }

    /// <summary>When the indexed footage starts (now for an empty index): a bare time of day in a search falls on its day.</summary>
    public DateTimeOffset FootageStart() => Recordings().Select(r => r.StartClock).DefaultIfEmpty(DateTimeOffset.Now).Min();

    public IReadOnlyList<IndexedRecording> Recordings()
    {
        using var cmd = Command("SELECT id, path, camera, start_clock, duration_s, width, height, fps, detector, background FROM recordings ORDER BY start_clock");
        using var r = cmd.ExecuteReader();
        var list = new List<IndexedRecording>();
        while (r.Read())
            list.Add(new IndexedRecording(r.GetInt64(0), r.GetString(1), r.GetString(2), DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture),
                r.GetDouble(4), r.GetInt32(5), r.GetInt32(6), r.GetDouble(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9)));
        return list;
    }

    /// <summary>Pauses between a camera's recordings shorter than this are the recorder's cuts, not missing footage.</summary>
    public static readonly TimeSpan LeastMissing = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Where a camera's indexed footage has no picture, within a time window: gaps inside its recordings,
    /// stretches between one recording's end and the next one's start, and the part of the window before
    /// its first or after its last recording. Each stretch is cut to the window.
    /// </summary>
    public IReadOnlyList<MissingFootage> Missing(string? camera = null, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var inside = new Dictionary<long, List<(double From, double To)>>();
        if (HasTable("recording_gaps")) // not in a case made before gaps were kept and opened on read-only storage
        {
            using var cmd = Command("SELECT recording_id, from_s, to_s FROM recording_gaps ORDER BY from_s");
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (!inside.TryGetValue(r.GetInt64(0), out var list)) inside[r.GetInt64(0)] = list = [];
                list.Add((r.GetDouble(1), r.GetDouble(2)));
            }
        }
        var missing = new List<MissingFootage>();
        foreach (var cameraRecordings in Recordings().Where(r => camera is null || r.Camera == camera).GroupBy(r => r.Camera))
        {
            var ordered = cameraRecordings.OrderBy(r => r.StartClock).ToList();
            var covered = DateTimeOffset.MinValue;
            foreach (var recording in ordered)
            {
                var name = Path.GetFileName(recording.Path);
                if (covered != DateTimeOffset.MinValue && recording.StartClock - covered >= LeastMissing)
                    missing.Add(new MissingFootage(recording.Camera, covered, recording.StartClock, $"between recordings, before {name}"));
                foreach (var (a, b) in inside.GetValueOrDefault(recording.Id, []))
                    missing.Add(new MissingFootage(recording.Camera, recording.StartClock.AddSeconds(a), recording.StartClock.AddSeconds(b), name));
                var end = recording.StartClock.AddSeconds(recording.DurationS);
                if (end > covered) covered = end;
            }
            if (from is { } f && f < ordered[0].StartClock - LeastMissing)
                missing.Add(new MissingFootage(ordered[0].Camera, f, ordered[0].StartClock, $"before the first recording, {Path.GetFileName(ordered[0].Path)}"));
            if (to is { } t && t > covered + LeastMissing)
                missing.Add(new MissingFootage(ordered[0].Camera, covered, t, "after the last recording"));
        }
        return missing.Where(m => (from is null || m.To > from) && (to is null || m.From < to))
            .Select(m => m with { From = from is { } f && f > m.From ? f : m.From, To = to is { } t && t < m.To ? t : m.To })
            .OrderBy(m => m.From).ThenBy(m => m.Camera, StringComparer.Ordinal).ToList();
    }

    /// <summary>Names of the zones and lines tracks visited or crossed, for search forms.</summary>
    public (IReadOnlyList<string> Zones, IReadOnlyList<string> Lines) Places() =>
        (Strings("SELECT DISTINCT zone FROM track_zones ORDER BY zone"), Strings("SELECT DISTINCT line FROM track_lines ORDER BY line"));

    public IReadOnlyList<IndexedEvent> Events()
    {
        using var cmd = Command("SELECT recording_id, camera, kind, where_, start_s, end_s, raised_s, raised_clock, score, detail FROM events ORDER BY raised_clock");
        using var r = cmd.ExecuteReader();
        var list = new List<IndexedEvent>();
        while (r.Read())
            list.Add(new IndexedEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDouble(4), r.IsDBNull(5) ? null : r.GetDouble(5),
                r.GetDouble(6), DateTimeOffset.Parse(r.GetString(7), CultureInfo.InvariantCulture), r.GetDouble(8), r.GetString(9)));
        return list;
    }

    /// <summary>
    /// Tracks matching every part of the query, in time order. Time, class, camera, zone, speed and colour
    /// are filtered in SQL; compass directions, which need angles, on the rows it returns.
    /// </summary>
    public IReadOnlyList<IndexedTrack> Search(TrackQuery q) => Search(q, null);

    public IndexedTrack? Track(long id) => Search(new TrackQuery(), id).FirstOrDefault();

    private List<IndexedTrack> Search(TrackQuery q, long? trackId)
    {
        var where = new List<string>();
        var args = new List<(string, object)>();
        if (trackId is { } only) { where.Add("t.id = $id"); args.Add(("$id", only)); }
        if (q.After is { } after)
        {
            where.Add("(t.start_ms > (SELECT start_ms FROM tracks WHERE id = $after) OR (t.start_ms = (SELECT start_ms FROM tracks WHERE id = $after) AND t.id > $after))");
            args.Add(("$after", after));
        }
        if (q.Classes.Count > 0)
        {
            var names = q.Classes.Select(CategoryName).ToList();
            where.Add($"t.category IN ({string.Join(", ", names.Select((_, i) => $"$c{i}"))})");
            args.AddRange(names.Select((n, i) => ($"$c{i}", (object)n)));
        }
        if (q.Camera is { } camera) { where.Add("t.camera = $camera"); args.Add(("$camera", camera)); }
        if (q.From is { } from) { where.Add("t.end_ms >= $from"); args.Add(("$from", from.ToUnixTimeMilliseconds())); }
        if (q.To is { } to) { where.Add("t.start_ms <= $to"); args.Add(("$to", to.ToUnixTimeMilliseconds())); }
        if (q.Zone is { } zone)
        {
            where.Add("EXISTS (SELECT 1 FROM track_zones z WHERE z.track_id = t.id AND z.zone = $zone AND z.dwell_s >= $dwell)");
            args.Add(("$zone", zone));
            args.Add(("$dwell", q.MinDwell?.TotalSeconds ?? 0));
        }
        if (q.Line is { } line)
        {
            where.Add("EXISTS (SELECT 1 FROM track_lines l WHERE l.track_id = t.id AND l.line = $line)");
            args.Add(("$line", line));
        }
        if (q.MinSpeed is { } min) { where.Add("t.speed >= $minspeed"); args.Add(("$minspeed", min)); }
        if (q.MaxSpeed is { } max) { where.Add("t.speed <= $maxspeed"); args.Add(("$maxspeed", max)); }
        if (q.Colour is { } colour) { where.Add("t.colour = $colour"); args.Add(("$colour", colour)); }
        if (q.MinDuration is { } d) { where.Add("t.end_s - t.start_s >= $mindur"); args.Add(("$mindur", d.TotalSeconds)); }
        var sql = "SELECT t.id, t.recording_id, t.category, t.label, t.start_s, t.end_s, t.heading_deg, t.heading, t.speed, t.speed_unit, t.size, t.colour, t.thumbnail, t.path FROM tracks t"
                  + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY t.start_ms, t.id";
        var recordings = Recordings().ToDictionary(r => r.Id);
        var hits = new List<IndexedTrack>();
        using var cmd = Command(sql, args.ToArray());
        using var r = cmd.ExecuteReader();
        while (r.Read() && hits.Count < q.Limit)
        {
            var id = r.GetInt64(0);
            var headingDeg = r.IsDBNull(6) ? (double?)null : r.GetDouble(6);
            if (q.Heading is { } heading && (headingDeg is not { } deg || !TrackFactsBuilder.Towards(deg, heading))) continue;
            var zones = ZoneVisits(id);
            var lines = LineCrossings(id);
            if (q.Line is { } l && q.Direction is { } dir
                && !lines.Any(c => c.Line == l && (c.Direction == dir || SameQuarter(c.Towards, dir)))) continue;
            var facts = new TrackFacts(ParseCategory(r.GetString(2)), r.GetString(3), r.GetDouble(4), r.GetDouble(5), zones, lines,
                headingDeg, r.GetString(7), r.GetDouble(8), r.GetString(9), r.GetDouble(10));
            hits.Add(new IndexedTrack(id, recordings[r.GetInt64(1)], facts, r.IsDBNull(11) ? null : r.GetString(11),
                r.IsDBNull(12) ? null : r.GetString(12), ParsePath(r.GetString(13))));
        }
        return hits;
    }

    /// <summary>A crossing heading counts as "east" when it is east, north-east or south-east.</summary>
    private static bool SameQuarter(string heading, string compassPoint)
    {
        var index = TrackFactsBuilder.CompassPoints.ToList().IndexOf(heading);
        return index >= 0 && TrackFactsBuilder.CompassPoints.Contains(compassPoint) && TrackFactsBuilder.Towards(index * 45, compassPoint);
    }

    private List<ZoneVisit> ZoneVisits(long trackId)
    {
        using var cmd = Command("SELECT zone, enter_s, leave_s FROM track_zones WHERE track_id = $t ORDER BY enter_s", ("$t", trackId));
        using var r = cmd.ExecuteReader();
        var list = new List<ZoneVisit>();
        while (r.Read()) list.Add(new ZoneVisit(r.GetString(0), r.GetDouble(1), r.GetDouble(2)));
        return list;
    }

    private List<LineCrossing> LineCrossings(long trackId)
    {
        using var cmd = Command("SELECT line, direction, heading, at_s FROM track_lines WHERE track_id = $t ORDER BY at_s", ("$t", trackId));
        using var r = cmd.ExecuteReader();
        var list = new List<LineCrossing>();
        while (r.Read()) list.Add(new LineCrossing(r.GetString(0), r.GetString(1), r.GetString(2), r.GetDouble(3)));
        return list;
    }

    private static IReadOnlyList<PathPoint> ParsePath(string json) =>
        JsonSerializer.Deserialize<double[][]>(json)!
            .Select(p => new PathPoint(p[0], new Box((float)p[1], (float)p[2], (float)p[3], (float)p[4]))).ToList();

    public static string CategoryName(Category c) => c.ToString().ToLowerInvariant();

    private static Category ParseCategory(string name) => Enum.Parse<Category>(name, ignoreCase: true);

    private static long Ms(DateTimeOffset start, double seconds) => (start + TimeSpan.FromSeconds(seconds)).ToUnixTimeMilliseconds();

    private SqliteCommand Command(string sql, params (string Name, object Value)[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = _tx;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    private long Insert(string sql, params (string Name, object Value)[] args)
    {
        using var cmd = Command(sql, args);
        return cmd.ExecuteScalar() is long id ? id : 0;
    }

    private void Execute(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    private bool HasTable(string name)
    {
        using var cmd = Command("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $n", ("$n", name));
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture) > 0;
    }

    private long Scalar(string sql)
    {
        using var cmd = Command(sql);
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }

    private List<long> Ids(string sql, params (string, object)[] args)
    {
        using var cmd = Command(sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<long>();
        while (r.Read()) list.Add(r.GetInt64(0));
        return list;
    }

    private List<string> Strings(string sql, params (string, object)[] args)
    {
        using var cmd = Command(sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }

    public void Dispose() => _db.Dispose();
}
