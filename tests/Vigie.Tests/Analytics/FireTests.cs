using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Analytics;

public class FireTests
{
    private const int Cols = 16, Rows = 9;
    private static readonly Point2[] Whole = [new(0, 0), new(1, 0), new(1, 1), new(0, 1)];

    private static FireCues Cues(int flameCells, double flicker)
    {
        var flame = new float[Cols * Rows];
        for (int i = 0; i < flameCells; i++) flame[60 + i] = 1;
        return new FireCues(Cols, Rows, flame, new float[Cols * Rows], flicker);
    }

    private static List<EventChange> Run(double seconds, Func<double, FireCues> cues)
    {
        var rule = new Fire([new FireZone(new WatchedZone("yard", Whole, Schedule.Always), 0.002, 2.5, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6))]);
        var changes = new List<EventChange>();
        for (var t = 0.0; t <= seconds + 1e-9; t += 0.2)
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), 640, 360, [], []) { Fire = cues(t) }));
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(seconds)));
        return changes;
    }

    /// <summary>The fire model's sightings on a left-half zone: a sighting at (x, y) (pixels) on the frames <paramref name="seen"/> says.</summary>
    private static List<EventChange> RunModel(double seconds, Func<double, bool> seen, float x, bool cameraMoving = false)
    {
        var rule = new Fire([new FireZone(new WatchedZone("left", [new(0, 0), new(0.5f, 0), new(0.5f, 1), new(0, 1)], Schedule.Always),
            0.002, 2.5, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6))]);
        var moving = new MotionField(Cols, Rows, new float[Cols * Rows], Enumerable.Repeat(0.1f, Cols * Rows).ToArray(), new float[Cols * Rows]);
        var changes = new List<EventChange>();
        for (var t = 0.0; t <= seconds + 1e-9; t += 0.2)
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), 640, 360, [], [])
            {
                Fire = Cues(0, 0),
                Motion = cameraMoving ? moving : null,
                Detections = seen(t) ? [new Detection(new Box(x - 20, 100, 40, 60), Category.Fire, "fire", 0.8f)] : [],
            }));
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(seconds)));
        return changes;
    }

    [Fact]
    public void The_fire_models_sightings_in_the_zone_alert_after_the_dwell_even_with_gaps_and_a_moving_camera()
    {
        // Seen from 3 s on, but missed on every fourth frame (a model's flicker), while the camera pans.
        var changes = RunModel(10, t => t >= 3 && Math.Round(t / 0.2) % 4 != 0, x: 100, cameraMoving: true);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 2.99, 3.21);
        Assert.InRange(alert.RaisedAt.TotalSeconds, 4.99, 5.41);
        Assert.Contains("fire seen by the fire model (score 0.80)", alert.Detail);
        Assert.Equal(0.125, alert.Box.X, 3);
        // Outside the zone, or for less than the dwell: nothing.
        Assert.Empty(RunModel(10, t => t >= 3, x: 500));
        Assert.Empty(RunModel(10, t => t is >= 3 and < 4.5, x: 100));
    }

    [Fact]
    public void Flickering_flames_for_the_dwell_time_raise_one_alert_from_their_start()
    {
        var changes = Run(12, t => t >= 3 ? Cues(3, 6) : Cues(0, 0));
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal(EventKinds.Fire, alert.Kind);
        Assert.InRange(alert.Start.TotalSeconds, 2.99, 3.21);
        Assert.InRange(alert.RaisedAt.TotalSeconds, 4.99, 5.41);
        Assert.True(alert.Box.Width > 0);
    }

    [Fact]
    public void Flame_colours_that_do_not_flicker_are_not_fire()
    {
        // An orange coat or a sunset: the colour is there all along, the flicker is not.
        Assert.Empty(Run(12, _ => Cues(10, 0.8)));
    }

    [Fact]
    public void A_brief_flash_is_not_fire()
    {
        Assert.Empty(Run(12, t => t is >= 3 and < 4 ? Cues(3, 10) : Cues(0, 0)));
    }

    [Fact]
    public void Area_is_the_covered_share_of_the_image() =>
        Assert.Equal(3.0 / (Cols * Rows), Fire.Area(Cues(3, 1).Flame, Cols, Rows, Enumerable.Range(0, Cols * Rows).ToList()), 6);
}
