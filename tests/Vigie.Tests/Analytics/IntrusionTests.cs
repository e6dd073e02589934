using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Tests.Analytics;

public class IntrusionTests
{
    private const int W = 1000, H = 1000;
    private static readonly DateTimeOffset Clock0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly Point2[] Square = [new(0.4f, 0.4f), new(0.8f, 0.4f), new(0.8f, 0.8f), new(0.4f, 0.8f)];

    private static Intrusion ZoneRule(double dwell = 1, double cooldown = 3, Schedule? schedule = null, params Category[] classes) =>
        new([new IntrusionZone(new WatchedZone("forbidden", Square, schedule ?? Schedule.Always),
                (classes.Length == 0 ? [Category.Person, Category.Vehicle] : classes).ToHashSet(),
                TimeSpan.FromSeconds(dwell), TimeSpan.FromSeconds(cooldown))], []);

    /// <summary>A person whose feet are at (x, y) in normalised coordinates.</summary>
    private static Track Person(int id, double x, double y, double t, Category category = Category.Person)
    {
        var box = new Box((float)(x * W - 20), (float)(y * H - 100), 40, 100);
        return new Track(id, box, category, category.ToString().ToLowerInvariant(), 0.8f, TimeSpan.FromSeconds(t),
            TimeSpan.FromSeconds(t), default, [new TimedBox(TimeSpan.FromSeconds(t), box)]);
    }

    private static SceneState State(double t, IReadOnlyList<Track> tracks, IReadOnlyList<Track>? ended = null) =>
        new("cam", TimeSpan.FromSeconds(t), Clock0.AddSeconds(t), W, H, tracks, ended ?? []);

    private static List<EventChange> Run(IEventRule rule, double from, double to, Func<double, IReadOnlyList<Track>> tracksAt)
    {
        var all = new List<EventChange>();
        for (var t = from; t <= to + 1e-9; t += 0.2) all.AddRange(rule.Update(State(t, tracksAt(t))));
        all.AddRange(rule.Flush(TimeSpan.FromSeconds(to)));
        return all;
    }

    [Fact]
    public void A_person_staying_past_the_dwell_raises_one_alert_at_the_dwell()
    {
        var rule = ZoneRule(dwell: 1);
        // Feet cross x = 0.4 at t = 3.5 s (first frame inside: 3.6), stays until t = 8, then leaves.
        var changes = Run(rule, 0, 12, t => t < 8 ? [Person(1, Math.Min(0.6, 0.05 + 0.1 * t), 0.6, t)] : []);
        var opened = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal(3.6, opened.Start.TotalSeconds, 1);
        Assert.Equal(4.6, opened.RaisedAt.TotalSeconds, 1);
        var closed = Assert.Single(changes, c => c.Closed).Event;
        Assert.Equal(7.8, closed.End!.Value.TotalSeconds, 1);
        Assert.Equal([1], closed.TrackIds);
    }

    [Fact]
    public void Brushing_the_zone_shorter_than_the_dwell_raises_nothing()
    {
        var rule = ZoneRule(dwell: 2);
        var changes = Run(rule, 0, 10, t => [Person(1, t is >= 3 and < 4 ? 0.45 : 0.3, 0.6, t)]);
        Assert.Empty(changes);
    }

    [Fact]
    public void A_new_id_where_the_intruder_was_lost_continues_the_same_event()
    {
        var rule = ZoneRule(dwell: 0.4, cooldown: 3);
        // Track 1 inside until t = 4; the tracker then loses it and track 2 appears at the same place at t = 5.
        var changes = Run(rule, 0, 10, t => t < 4 ? [Person(1, 0.6, 0.6, t)] : t >= 5 ? [Person(2, 0.6, 0.6, t)] : []);
        Assert.Single(changes, c => !c.Closed);
        var closed = Assert.Single(changes, c => c.Closed).Event;
        Assert.Equal([1, 2], closed.TrackIds);
    }

    [Fact]
    public void A_new_id_where_the_intruder_was_lost_continues_the_same_event_when_the_view_moved_in_between()
    {
        var rule = ZoneRule(dwell: 0.4, cooldown: 3);
        // Track 1 stands still with its feet at x = 0.75 until t = 4; the camera then pans, the scene moving 60 px
        // left a frame for five frames, and the same person is found as track 2 at x = 0.45, 300 px (three of their
        // heights) from where they were last seen in the picture, but where they stood in the scene.
        var changes = new List<EventChange>();
        for (var frame = 0; frame <= 50; frame++)
        {
            var t = frame * 0.2;
            IReadOnlyList<Track> tracks = frame < 20 ? [Person(1, 0.75, 0.6, t)] : frame >= 25 ? [Person(2, 0.45, 0.6, t)] : [];
            var panning = frame is >= 20 and < 25;
            changes.AddRange(rule.Update(State(t, tracks) with { View = panning ? new ViewShift(1, 0, -60, 0) : null }));
        }
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(10)));
        Assert.Single(changes, c => !c.Closed);
        Assert.Equal([1, 2], Assert.Single(changes, c => c.Closed).Event.TrackIds);
    }

    [Fact]
    public void Two_intruders_at_once_raise_two_alerts()
    {
        var rule = ZoneRule(dwell: 0.4);
        var changes = Run(rule, 0, 5, t => [Person(1, 0.5, 0.6, t), Person(2, 0.7, 0.7, t)]);
        Assert.Equal(2, changes.Count(c => !c.Closed));
    }

    [Fact]
    public void A_second_intruder_well_after_the_first_left_is_a_new_event()
    {
        var rule = ZoneRule(dwell: 0.4, cooldown: 3);
        var changes = Run(rule, 0, 20, t => t < 5 ? [Person(1, 0.6, 0.6, t)] : t >= 10 ? [Person(2, 0.5, 0.5, t)] : []);
        Assert.Equal(2, changes.Count(c => !c.Closed));
        Assert.Equal(2, changes.Count(c => c.Closed));
    }

    [Fact]
    public void Categories_not_watched_are_ignored()
    {
        var rule = ZoneRule(dwell: 0.4, classes: Category.Vehicle);
        Assert.Empty(Run(rule, 0, 5, t => [Person(1, 0.6, 0.6, t)]));
        Assert.Single(Run(ZoneRule(dwell: 0.4, classes: Category.Vehicle), 0, 5, t => [Person(1, 0.6, 0.6, t, Category.Vehicle)]), c => !c.Closed);
    }

    [Fact]
    public void Outside_its_schedule_the_zone_is_not_watched()
    {
        // Clock0 is 12:00; the zone is watched only at night.
        var night = new Schedule([new Vigie.Analytics.ScheduleWindow(new HashSet<DayOfWeek>(), TimeSpan.FromHours(22), TimeSpan.FromHours(6))], TimeZoneInfo.Utc);
        Assert.Empty(Run(ZoneRule(dwell: 0.4, schedule: night), 0, 5, t => [Person(1, 0.6, 0.6, t)]));
    }

    [Fact]
    public void Ended_tracks_are_forgotten()
    {
        var rule = ZoneRule(dwell: 5);
        rule.Update(State(0, [Person(7, 0.6, 0.6, 0)]));
        rule.Update(State(0.2, [], [Person(7, 0.6, 0.6, 0)]));
        // Had the entry time been kept, id 7 re-appearing at t = 5.2 would alert at once.
        Assert.Empty(rule.Update(State(5.2, [Person(7, 0.6, 0.6, 5.2)])));
    }

    [Fact]
    public void Line_crossing_alerts_only_in_the_forbidden_direction()
    {
        // Vertical line at x = 0.5 drawn downwards: moving towards smaller x crosses left to right.
        var line = new WatchedLine("fence", new Point2(0.5f, 0), new Point2(0.5f, 1), Schedule.Always);
        var rule = new Intrusion([], [new IntrusionLine(line, CrossingDirection.LeftToRight, new HashSet<Category> { Category.Person }, TimeSpan.FromSeconds(5))]);
        var westwards = Run(rule, 0, 4, t => [Person(1, 0.7 - 0.1 * t, 0.5, t)]);
        var alert = Assert.Single(westwards, c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 1.99, 2.21);
        Assert.Contains("left to right", alert.Detail);
        var eastwards = Run(rule, 0, 4, t => [Person(2, 0.3 + 0.1 * t, 0.5, t)]);
        Assert.Empty(eastwards);
    }

    [Fact]
    public void Crossing_direction_is_pure_geometry()
    {
        Point2 from = new(0, 0.5f), to = new(1, 0.5f);
        Assert.Equal(CrossingDirection.LeftToRight, Intrusion.Crossing(from, to, new(0.5f, 0.4f), new(0.5f, 0.6f)));
        Assert.Equal(CrossingDirection.RightToLeft, Intrusion.Crossing(from, to, new(0.5f, 0.6f), new(0.5f, 0.4f)));
        Assert.Null(Intrusion.Crossing(from, to, new(0.5f, 0.6f), new(0.6f, 0.7f)));
        Assert.Null(Intrusion.Crossing(new(0, 0.5f), new(0.3f, 0.5f), new(0.5f, 0.4f), new(0.5f, 0.6f))); // beyond the segment
    }
}
