using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Tests.Analytics;

public class WrongWayTests
{
    private const int W = 1000, H = 500;
    private static readonly Point2[] Lane = [new(0, 0), new(1, 0), new(1, 1), new(0, 1)];

    /// <summary>A track whose feet follow a path given in normalised coordinates per second.</summary>
    private sealed class Mover(int id, Func<double, Point2> path, Category category = Category.Person, float width = 30, float height = 40)
    {
        private readonly List<TimedBox> _history = [];

        public Track At(double t)
        {
            var p = path(t);
            var box = new Box(p.X * W - width / 2, p.Y * H - height, width, height);
            _history.Add(new TimedBox(TimeSpan.FromSeconds(t), box));
            return new Track(id, box, category, category.ToString().ToLowerInvariant(), 0.9f, _history[0].Time, TimeSpan.FromSeconds(t), default, _history.ToArray());
        }
    }

    private static List<EventChange> Run(WrongWay rule, double seconds, params Mover[] movers)
    {
        var changes = new List<EventChange>();
        for (var t = 0.0; t <= seconds + 1e-9; t += 0.2)
        {
            var tracks = movers.Select(m => m.At(t)).ToList();
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), W, H, tracks, [])));
        }
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(seconds)));
        return changes;
    }

    private static WrongWay UpOnly(double minDistance = 0.1, GroundPlane? ground = null, double minMetres = 3, params Category[] classes) =>
        new([new WrongWayZone(new WatchedZone("lane", Lane, Schedule.Always), new Point2(0, -1),
            classes.Length == 0 ? [Category.Person] : classes.ToHashSet(), minDistance, minMetres, TimeSpan.FromSeconds(1), 60)], ground);

    [Fact]
    public void A_misnamed_vehicle_counts_but_what_a_person_carries_does_not_count_twice()
    {
        Func<double, Point2> down = t => new Point2(0.3f, (float)(0.1 + 0.15 * t));
        // A person going the wrong way with a phone in hand (a small box inside theirs, feet 10 px higher).
        var person = new Mover(1, down);
        var phone = new Mover(2, t => down(t) - new Point2(0, 10f / H), Category.Other, 8, 10);
        // A car seen from above that the detector calls something else.
        var car = new Mover(3, t => new Point2(0.7f, (float)(0.1 + 0.15 * t)), Category.Other, 60, 100);
        var alerts = Run(UpOnly(classes: [Category.Person, Category.Vehicle, Category.Other]), 5, person, phone, car)
            .Where(c => !c.Closed).Select(c => c.Event.TrackIds.Single()).Order().ToList();
        Assert.Equal([1, 3], alerts);
    }

    [Fact]
    public void Going_down_a_one_way_up_lane_raises_one_alert_and_going_up_none()
    {
        var down = new Mover(1, t => new Point2(0.3f, (float)(0.1 + 0.15 * t)));
        var up = new Mover(2, t => new Point2(0.7f, (float)(0.9 - 0.15 * t)));
        var changes = Run(UpOnly(), 5, down, up);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal([1], alert.TrackIds);
        Assert.Equal(EventKinds.WrongWay, alert.Kind);
        // 0.15 of the image per second: 0.1 is covered within the first 1 s window.
        Assert.Equal(1.0, alert.RaisedAt.TotalSeconds, 1);
        Assert.Single(changes, c => c.Closed);
    }

    [Fact]
    public void Jitter_and_a_brief_step_back_are_not_wrong_way()
    {
        var rng = new Random(5);
        var jitter = new Mover(1, t => new Point2(0.5f + (float)(rng.NextDouble() - 0.5) * 0.02f, (float)(0.5 + (rng.NextDouble() - 0.5) * 0.04)));
        // Walks up, steps back down for 0.4 s at t = 2, then goes on up.
        var hesitant = new Mover(2, t => new Point2(0.3f, (float)(0.9 - 0.1 * t + (t is > 2 and < 2.4 ? 0.05 * (t - 2) / 0.4 : t >= 2.4 ? 0.05 : 0))));
        Assert.Empty(Run(UpOnly(), 6, jitter, hesitant));
    }

    [Fact]
    public void Crossing_the_lane_sideways_is_not_wrong_way()
    {
        var across = new Mover(1, t => new Point2((float)(0.1 + 0.2 * t), 0.5f));
        Assert.Empty(Run(UpOnly(), 4, across));
    }

    [Fact]
    public void A_calibrated_camera_measures_metres()
    {
        // The whole image is a 20 m × 10 m ground area; 3 m down the lane is 0.3 of the image.
        var ground = new GroundPlane(Homography.FromPoints(
            [new(0, 0), new(1, 0), new(1, 1), new(0, 1)], [new(0, 10), new(20, 10), new(20, 0), new(0, 0)])!);
        // 2 m/s for 1.2 s, then standing: 2.4 m is not 3 m.
        var stopsShort = new Mover(1, t => new Point2(0.5f, (float)(0.1 + 0.2 * Math.Min(t, 1.2))));
        Assert.Empty(Run(UpOnly(ground: ground, minMetres: 3), 4, stopsShort));
        var walker = new Mover(2, t => new Point2(0.5f, (float)(0.1 + 0.2 * t))); // 2 m/s on
        var alert = Assert.Single(Run(UpOnly(ground: ground, minMetres: 3), 3, walker), c => !c.Closed).Event;
        Assert.Equal(1.6, alert.RaisedAt.TotalSeconds, 1); // 3 m covered between 1.4 and 1.6 s
    }

    [Fact]
    public void A_slow_walker_far_from_the_camera_is_caught_once_they_have_covered_the_distance()
    {
        // 0.04 of the image per second the wrong way: never 0.1 within one second, 0.1 after 2.5 s.
        var far = new Mover(1, t => new Point2(0.4f, (float)(0.3 + 0.04 * t)), width: 8, height: 16);
        var alert = Assert.Single(Run(UpOnly(), 6, far), c => !c.Closed).Event;
        Assert.Equal(2.6, alert.RaisedAt.TotalSeconds, 1);
        Assert.Equal(0, alert.Start.TotalSeconds, 1);
    }

    [Fact]
    public void Against_is_pure_vector_arithmetic()
    {
        var (against, ok) = WrongWay.Against(new Point2(0, 0), new Point2(0, 10), new Point2(0, -1), 60);
        Assert.Equal(10, against, 5);
        Assert.True(ok);
        Assert.False(WrongWay.Against(new Point2(0, 0), new Point2(10, 1), new Point2(0, -1), 60).WithinAngle);
    }

    [Fact]
    public void A_thing_inside_a_person_or_vehicle_box_is_carried()
    {
        Box person = new(100, 100, 50, 150);
        Assert.True(WrongWay.IsCarried(new Box(120, 160, 15, 20), [person]));
        Assert.True(WrongWay.IsCarried(new Box(140, 160, 20, 20), [person]));
        Assert.False(WrongWay.IsCarried(new Box(145, 160, 20, 20), [person]));
        Assert.False(WrongWay.IsCarried(new Box(300, 160, 20, 20), [person]));
        Assert.False(WrongWay.IsCarried(new Box(120, 160, 15, 20), []));
    }
}
