using OpenCvSharp;
using Vigie.Analytics;
using Vigie.Forensics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Video;

namespace Vigie.Tests.Forensics;

public class TrackFactsTests
{
    private static readonly WatchedZone Zone = new("B", [new(0.4f, 0), new(1, 0), new(1, 1), new(0.4f, 1)], Schedule.Always);
    private static readonly WatchedLine DownTheMiddle = new("A", new(0.5f, 0), new(0.5f, 1), Schedule.Always);

    /// <summary>Feet moving from x0 to x1 at y = 0.8, one point every 0.2 s.</summary>
    private static List<PathPoint> Walk(float x0, float x1, double seconds, double start = 0)
    {
        var n = (int)(seconds / 0.2);
        return Enumerable.Range(0, n + 1)
            .Select(i => new PathPoint(start + i * 0.2, new Box(x0 + (x1 - x0) * i / n - 0.02f, 0.6f, 0.04f, 0.2f))).ToList();
    }

    [Fact]
    public void Crossing_eastwards_is_recorded_with_line_side_heading_and_time()
    {
        var crossings = TrackFactsBuilder.Crossings(Walk(0.1f, 0.9f, 8), DownTheMiddle).ToList();
        var c = Assert.Single(crossings);
        Assert.Equal("east", c.Towards);
        // Looking from the top of the line to its bottom, the east of the image is on the left.
        Assert.Equal("right_to_left", c.Direction);
        Assert.InRange(c.AtS, 4.0, 4.2);
        Assert.Equal("left_to_right", Assert.Single(TrackFactsBuilder.Crossings(Walk(0.9f, 0.1f, 8), DownTheMiddle)).Direction);
    }

    [Fact]
    public void A_path_slanting_across_a_line_down_the_image_crosses_it_eastwards_not_southwards()
    {
        // Mostly down the image, drifting right: the line is crossed towards its east side.
        var slanting = Enumerable.Range(0, 21).Select(i => new PathPoint(i * 0.2, new Box(0.44f + 0.004f * i - 0.02f, 0.1f + 0.035f * i, 0.04f, 0.1f))).ToList();
        var c = Assert.Single(TrackFactsBuilder.Crossings(slanting, DownTheMiddle));
        Assert.Equal("east", c.Towards);
        Assert.Equal("south", TrackFactsBuilder.Build(new TrackPath(Category.Person, "person", slanting), [], [DownTheMiddle], null).Heading);
    }

    [Fact]
    public void Zone_visits_survive_a_short_gap_and_split_on_a_long_one()
    {
        var points = Walk(0.5f, 0.6f, 4).Concat(Walk(0.6f, 0.6f, 4, 4.6)).Concat(Walk(0.6f, 0.6f, 2, 12)).ToList();
        var visits = TrackFactsBuilder.Visits(points, Zone).ToList();
        Assert.Equal(2, visits.Count);
        Assert.Equal(0, visits[0].EnterS, 3);
        Assert.Equal(8.6, visits[0].LeaveS, 3);
        Assert.Equal(12, visits[1].EnterS, 3);
    }

    [Fact]
    public void Heading_speed_and_size_come_from_the_whole_path()
    {
        var facts = TrackFactsBuilder.Build(new TrackPath(Category.Vehicle, "car", Walk(0.9f, 0.1f, 8)), [Zone], [DownTheMiddle], null);
        Assert.Equal("west", facts.Heading);
        Assert.InRange(facts.HeadingDeg!.Value, 265, 275);
        Assert.InRange(facts.Speed, 0.09, 0.11);
        Assert.Equal("image/s", facts.SpeedUnit);
        Assert.Equal(0.2, facts.Size, 3);
        Assert.Equal("static", TrackFactsBuilder.Build(new TrackPath(Category.Bag, "suitcase", Walk(0.5f, 0.505f, 60)), [], [], null).Heading);
    }

    [Fact]
    public void A_calibrated_camera_gives_metres_per_second()
    {
        var ground = new GroundPlane(Homography.FromPoints([new(0, 0), new(1, 0), new(1, 1), new(0, 1)], [new(0, 0), new(20, 0), new(20, 10), new(0, 10)])!);
        var facts = TrackFactsBuilder.Build(new TrackPath(Category.Person, "person", Walk(0.1f, 0.9f, 8)), [], [], ground);
        Assert.Equal("m/s", facts.SpeedUnit);
        Assert.InRange(facts.Speed, 1.9, 2.1); // 16 m in 8 s
    }

    [Theory]
    [InlineData(90, "east", true)]
    [InlineData(130, "east", true)]
    [InlineData(140, "east", false)]
    [InlineData(350, "north", true)]
    [InlineData(20, "north-west", false)]
    public void Compass_matches_within_45_degrees(double degrees, string point, bool expected) =>
        Assert.Equal(expected, TrackFactsBuilder.Towards(degrees, point));

    [Fact]
    public void Boxes_between_sightings_are_interpolated()
    {
        var points = new List<PathPoint> { new(1, new Box(0, 0, 0.1f, 0.1f)), new(2, new Box(0.2f, 0, 0.1f, 0.1f)) };
        Assert.Equal(0.1f, PathPoints.BoxAt(points, 1.5)!.Value.X, 3);
        Assert.Null(PathPoints.BoxAt(points, 2.5));
    }
}

public class DominantColourTests
{
    [Theory]
    [InlineData(0, 0, 255, "red")]
    [InlineData(255, 0, 0, "blue")]
    [InlineData(240, 240, 240, "white")]
    [InlineData(20, 20, 20, "black")]
    [InlineData(0, 200, 0, "green")]
    public void A_box_of_one_colour_is_named(int b, int g, int r, string expected)
    {
        using var image = new Mat(100, 100, MatType.CV_8UC3, new Scalar(128, 128, 128));
        image[new Rect(20, 20, 60, 60)].SetTo(new Scalar(b, g, r));
        Assert.Equal(expected, DominantColour.Of(image, new Box(15, 15, 70, 70)));
    }
}

public class IndexPlanTests
{
    [Fact]
    public void One_long_recording_is_cut_among_the_workers_with_a_warm_up()
    {
        var pieces = IndexPlan.Split([TimeSpan.FromHours(1)], 2, TimeSpan.FromSeconds(70)).OrderBy(p => p.Part).ToList();
        Assert.Equal(2, pieces.Count);
        // The second piece decodes its 70 s of warm-up: the first takes 35 s more of its own, both decode 30 min 35 s.
        Assert.Equal(TimeSpan.FromSeconds(1835), pieces[1].From);
        Assert.Equal(TimeSpan.FromSeconds(1835 - 70), pieces[1].DecodeFrom);
        Assert.Equal(TimeSpan.Zero, pieces[0].DecodeFrom);
        Assert.Equal(pieces[1].From, pieces[0].To);
        Assert.Equal(TimeSpan.FromHours(1), pieces[1].To);
        Assert.Equal(pieces[0].To - pieces[0].DecodeFrom, pieces[1].To - pieces[1].DecodeFrom);
    }

    [Fact]
    public void Pieces_follow_each_other_and_decode_equally_long()
    {
        var pieces = IndexPlan.Split([TimeSpan.FromSeconds(90)], 8, TimeSpan.FromSeconds(5)).OrderBy(p => p.Part).ToList();
        Assert.Equal(3, pieces.Count);
        Assert.Equal(TimeSpan.Zero, pieces[0].From);
        Assert.Equal(TimeSpan.FromSeconds(90), pieces[^1].To);
        Assert.All(pieces.Zip(pieces.Skip(1)), pair => Assert.Equal(pair.First.To, pair.Second.From));
        Assert.All(pieces.Skip(1), p => Assert.Equal(TimeSpan.FromSeconds(5), p.From - p.DecodeFrom));
        Assert.All(pieces, p => Assert.Equal(100.0 / 3, (p.To - p.DecodeFrom).TotalSeconds, 3));
    }

    [Fact]
    public void Many_recordings_are_shared_whole_and_short_ones_never_cut()
    {
        var pieces = IndexPlan.Split(Enumerable.Repeat(TimeSpan.FromMinutes(10), 4).ToList(), 2, TimeSpan.FromSeconds(10));
        Assert.Equal(4, pieces.Count);
        Assert.All(pieces, p => Assert.Equal(0, p.Part));
        Assert.Single(IndexPlan.Split([TimeSpan.FromSeconds(50)], 8, TimeSpan.FromSeconds(10)));
        Assert.Equal(3, IndexPlan.Split([TimeSpan.FromSeconds(90)], 8, TimeSpan.FromSeconds(5)).Count);
    }

    [Fact]
    public void Warm_up_covers_the_longest_rule_memory()
    {
        var camera = new Vigie.Config.CameraConfig();
        camera.UseCases.AbandonedObject = new Vigie.Config.AbandonedObjectConfig();
        var a = camera.UseCases.AbandonedObject;
        Assert.Equal(TimeSpan.FromSeconds(a.WarmupS + a.MinStillS + a.DwellS + 5), IndexPlan.WarmUp(camera));
    }
}

public class PieceStitchingTests
{
    private static IndexedPath Path(Category c, double from, double to, float x0, float x1) =>
        new(new TrackPath(c, "car", Enumerable.Range(0, (int)((to - from) / 0.2) + 1)
            .Select(i => new PathPoint(from + i * 0.2, new Box(x0 + (x1 - x0) * (float)(i * 0.2 / (to - from)), 0.5f, 0.1f, 0.1f))).ToList()), null, null);

    [Fact]
    public void A_track_across_the_cut_becomes_one_and_warm_up_only_tracks_are_dropped()
    {
        var first = new IndexPiece(0, 0, TimeSpan.Zero, TimeSpan.FromSeconds(100), TimeSpan.Zero);
        var second = new IndexPiece(0, 1, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(90));
        var before = Path(Category.Vehicle, 95, 100, 0.1f, 0.35f);
        var after = Path(Category.Vehicle, 91, 110, -0.1f, 0.85f); // picked up in the warm-up, same motion
        var warmUpOnly = Path(Category.Person, 90, 94, 0.6f, 0.7f);
        var (tracks, _) = PieceStitching.Join([new(second, [after, warmUpOnly], []), new(first, [before], [])]);
        var joined = Assert.Single(tracks);
        Assert.Equal(95, joined.Path.StartS, 3);
        Assert.Equal(110, joined.Path.EndS, 3);
        Assert.True(joined.Path.Points.Zip(joined.Path.Points.Skip(1)).All(p => p.Second.T > p.First.T), "points in time order");
    }

    [Fact]
    public void An_event_cut_by_a_piece_end_is_extended_and_not_raised_twice()
    {
        var first = new IndexPiece(0, 0, TimeSpan.Zero, TimeSpan.FromSeconds(100), TimeSpan.Zero);
        var second = new IndexPiece(0, 1, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(70));
        SceneEvent Event(double start, double? end, double raised) => new("cam", EventKinds.Intrusion, "zone", TimeSpan.FromSeconds(start),
            end is { } e ? TimeSpan.FromSeconds(e) : null, TimeSpan.FromSeconds(raised), DateTimeOffset.UnixEpoch, 0.9f, [1], new Box(0, 0, 1, 1), "");
        var (_, events) = PieceStitching.Join([
            new(first, [], [Event(80, 100, 82)]),
            new(second, [], [Event(80, 130, 82), Event(150, 160, 151)]),
        ]);
        Assert.Equal(2, events.Count);
        Assert.Equal(TimeSpan.FromSeconds(130), events[0].End);
        Assert.Equal(TimeSpan.FromSeconds(151), events[1].RaisedAt);
    }
}

public class SynopsisPlannerTests
{
    private static Tube Tube(long id, double from, double length, float x) =>
        new(id, [new PathPoint(from, new Box(x, 0.4f, 0.1f, 0.2f)), new PathPoint(from + length, new Box(x, 0.4f, 0.1f, 0.2f))], from, from + length);

    [Fact]
    public void Objects_of_different_times_in_different_places_play_together()
    {
        var plan = SynopsisPlanner.Plan([Tube(1, 0, 10, 0.1f), Tube(2, 600, 10, 0.5f), Tube(3, 1800, 10, 0.8f)], new SynopsisTarget(30, null));
        Assert.All(plan.Placements, p => Assert.Equal(0, p.AtS));
        Assert.Equal(10, plan.LengthS, 3);
        Assert.Equal(0, plan.OverlapFraction);
    }

    [Fact]
    public void Objects_in_the_same_place_are_staggered_when_the_length_allows()
    {
        var plan = SynopsisPlanner.Plan([Tube(1, 0, 10, 0.4f), Tube(2, 600, 10, 0.4f)], new SynopsisTarget(30, null));
        Assert.Equal(0, plan.OverlapFraction);
        Assert.InRange(plan.LengthS, 20, 21); // one after the other, with at most a candidate step between
        var squeezed = SynopsisPlanner.Plan([Tube(1, 0, 10, 0.4f), Tube(2, 600, 10, 0.4f)], new SynopsisTarget(10, null));
        Assert.Equal(10, squeezed.LengthS, 3);
        Assert.True(squeezed.OverlapFraction > 0.9);
        Assert.Equal(1, squeezed.CollidingPairs);
    }

    [Fact]
    public void Density_caps_objects_on_screen()
    {
        var tubes = Enumerable.Range(0, 6).Select(i => Tube(i, i * 100, 10, i * 0.15f)).ToList();
        var plan = SynopsisPlanner.Plan(tubes, new SynopsisTarget(null, 2));
        for (double t = 0; t < plan.LengthS; t += 0.5)
            Assert.True(plan.Placements.Count(p => t >= p.AtS && t < p.AtS + p.Tube.Length) <= 2, $"more than 2 objects at {t} s");
        Assert.InRange(plan.LengthS, 29, 31);
    }
}

public class QueryTextTests
{
    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("2m", 120)]
    [InlineData("2 min", 120)]
    [InlineData("1h30m", 5400)]
    public void Durations(string text, double seconds) => Assert.Equal(seconds, QueryText.Duration(text, "x").TotalSeconds, 3);

    [Fact]
    public void Bad_values_name_their_field()
    {
        Assert.Contains("--min-dwell", Assert.Throws<FormatException>(() => QueryText.Duration("soon", "--min-dwell")).Message);
        Assert.Contains("--from", Assert.Throws<FormatException>(() => QueryText.Time("25:00", DateTimeOffset.Now, "--from")).Message);
        Assert.Contains("class", Assert.Throws<FormatException>(() => QueryText.Classes(["face"])).Message);
    }

    [Fact]
    public void A_time_of_day_is_on_the_day_the_footage_starts()
    {
        var day = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.FromHours(1));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.FromHours(1)), QueryText.Time("14:00", day, "--from"));
        // A date and time without an offset is on the footage's clock too, not the machine's; one with an offset is that instant.
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.FromHours(1)), QueryText.Time("2026-11-21T08:00", day, "--from"));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero), QueryText.Time("2026-11-21T08:00Z", day, "--from"));
    }

    [Fact]
    public void People_are_never_searched_by_colour_or_appearance()
    {
        var query = new TrackQuery { Classes = new HashSet<Category> { Category.Person }, Colour = "red" };
        Assert.Contains(query.Problems(), p => p.StartsWith("colour: people are never searched", StringComparison.Ordinal));
        Assert.DoesNotContain(typeof(TrackQuery).GetProperties(), p => p.Name.Contains("Appearance") || p.Name.Contains("Face") || p.Name.Contains("Clothing"));
    }
}

public class MotionGateTests
{
    [Fact]
    public void Unchanged_frames_reuse_detections_until_something_moves_or_too_long_passes()
    {
        using var gate = new MotionGate();
        using var frame = new Mat(360, 640, MatType.CV_8UC3, new Scalar(120, 120, 120));
        Assert.False(gate.Unchanged(frame, TimeSpan.Zero)); // first frame: detect
        Assert.True(gate.Unchanged(frame, TimeSpan.FromSeconds(1)));
        using var moved = frame.Clone();
        moved[new Rect(300, 100, 14, 40)].SetTo(new Scalar(20, 20, 20)); // a small far walker
        Assert.False(gate.Unchanged(moved, TimeSpan.FromSeconds(2)));
        Assert.True(gate.Unchanged(moved, TimeSpan.FromSeconds(3)));
        Assert.False(gate.Unchanged(moved, TimeSpan.FromSeconds(2) + MotionGate.MaxReuse));
    }
}

public class TrackIndexTests
{
    private static List<string> IndexNames(string folder)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, TrackIndex.FileName)};Pooling=false");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name";
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    }

    [Fact]
    public void A_case_indexed_before_the_lookup_indexes_gets_them_when_opened()
    {
        var folder = TestPaths.TempFolder();
        TrackIndex.Create(folder).Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Contains("track_zones_track", IndexNames(folder));
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, TrackIndex.FileName)};Pooling=false"))
        {
            db.Open();
            using var drop = db.CreateCommand();
            drop.CommandText = "DROP INDEX track_zones_track; DROP INDEX track_lines_track; DROP INDEX tracks_recording;";
            drop.ExecuteNonQuery();
        }
        Assert.DoesNotContain("track_zones_track", IndexNames(folder));

        TrackIndex.OpenExisting(folder).Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Superset(new HashSet<string> { "track_zones_track", "track_lines_track", "tracks_recording" }, IndexNames(folder).ToHashSet());
    }

    [Fact]
    public void A_recording_that_cannot_be_stored_is_said_as_a_write_error_and_leaves_the_index_as_it_was()
    {
        var folder = TestPaths.TempFolder();
        var nine = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
        using var index = TrackIndex.Create(folder);
        index.Add(new IndexedRecording(0, "/recordings/a.mp4", "hall", nine, 60, 640, 360, 25, "motion", null), [], [], []);
        // Storage that refuses the write half-way (as a full disk does): here a table gone from under it.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, TrackIndex.FileName)};Pooling=false"))
        {
            db.Open();
            using var drop = db.CreateCommand();
            drop.CommandText = "DROP TABLE recording_gaps";
            drop.ExecuteNonQuery();
        }
        var e = Assert.Throws<IOException>(() => index.Add(new IndexedRecording(0, "/recordings/b.mp4", "hall", nine.AddMinutes(1), 60, 640, 360, 25, "motion", null),
            [], [], [new FootageGap(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20))]));
        Assert.StartsWith("cannot store b.mp4 in the index", e.Message);
        Assert.Equal(["/recordings/a.mp4"], index.Recordings().Select(r => r.Path));
    }

    [Fact]
    public void Missing_footage_is_gaps_inside_recordings_and_time_between_a_cameras_recordings()
    {
        var folder = TestPaths.TempFolder();
        var nine = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
        IndexedRecording Recording(string file, string camera, double startS, double lengthS) =>
            new(0, $"/recordings/{file}", camera, nine.AddSeconds(startS), lengthS, 640, 360, 25, "motion", null);
        FootageGap Gap(double from, double to) => new(TimeSpan.FromSeconds(from), TimeSpan.FromSeconds(to));
        using var index = TrackIndex.Create(folder);
        // Hall: 0–60 s with a pause at 20–30 s, then nothing until the next file at 100 s; 1.5 s between the last two is a cut.
        index.Add(Recording("hall-1.mp4", "hall", 0, 60), [], [], [Gap(20, 30)]);
        index.Add(Recording("hall-2.mp4", "hall", 100, 60), [], [], []);
        index.Add(Recording("hall-3.mp4", "hall", 161.5, 60), [], [], []);
        index.Add(Recording("yard.mp4", "yard", 0, 200), [], [], []);

        var all = index.Missing();
        Assert.Equal(2, all.Count);
        Assert.Equal(("hall", nine.AddSeconds(20), nine.AddSeconds(30), "hall-1.mp4"), (all[0].Camera, all[0].From, all[0].To, all[0].Where));
        Assert.Equal((nine.AddSeconds(60), nine.AddSeconds(100), 40.0), (all[1].From, all[1].To, all[1].LengthS));
        Assert.Contains("between recordings", all[1].Where);
        // A window takes what lies in it, cut to it.
        var window = Assert.Single(index.Missing(from: nine.AddSeconds(25), to: nine.AddSeconds(50)));
        Assert.Equal((nine.AddSeconds(25), nine.AddSeconds(30)), (window.From, window.To));
        Assert.Empty(index.Missing(from: nine.AddSeconds(100)));
        Assert.Empty(index.Missing(camera: "yard"));
        // A window reaching beyond the footage: before the first recording and after the last are missing too.
        var wide = index.Missing(camera: "yard", from: nine.AddSeconds(-60), to: nine.AddSeconds(260));
        Assert.Equal([(nine.AddSeconds(-60), nine), (nine.AddSeconds(200), nine.AddSeconds(260))], wide.Select(m => (m.From, m.To)));
        Assert.Contains("before the first recording", wide[0].Where);
        Assert.Equal("after the last recording", wide[1].Where);

        // Indexing a recording again replaces its gaps.
        index.Add(Recording("hall-1.mp4", "hall", 0, 60), [], [], []);
        Assert.Equal("between recordings, before hall-2.mp4", Assert.Single(index.Missing()).Where);

        // A case made before gaps were kept, on storage where the table cannot be added: the time between recordings still.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, TrackIndex.FileName)};Pooling=false"))
        {
            db.Open();
            using var drop = db.CreateCommand();
            drop.CommandText = "DROP TABLE recording_gaps";
            drop.ExecuteNonQuery();
        }
        Assert.Equal("between recordings, before hall-2.mp4", Assert.Single(index.Missing()).Where);
    }
}
