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

    private static List<EventChange> Run(double seconds, Func<double, FireCues> cues, MotionField? motion = null)
    {
        var rule = new Fire([new FireZone(new WatchedZone("yard", Whole, Schedule.Always), 0.002, 2.5, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6))]);
        var changes = new List<EventChange>();
        for (var t = 0.0; t <= seconds + 1e-9; t += 0.2)
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), 640, 360, [], []) { Fire = cues(t), Motion = motion }));
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(seconds)));
        return changes;
    }

    /// <summary>The whole image drifting one way: a camera swaying or panning.</summary>
    private static MotionField Drifting(float flowX, float flowY) =>
        new(Cols, Rows, new float[Cols * Rows], Enumerable.Repeat(flowX, Cols * Rows).ToArray(), Enumerable.Repeat(flowY, Cols * Rows).ToArray());

    [Fact]
    public void Flames_seen_by_a_moving_camera_count_when_its_frames_could_be_lined_up()
    {
        var swaying = Drifting(0.05f, 0.02f);
        Assert.True(swaying.CameraMoving);
        var alert = Assert.Single(Run(12, t => t >= 3 ? Cues(3, 6) : Cues(0, 0), swaying), c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 2.99, 3.21);
        // A zoom or a turn: no shift lines the frames up, their flicker means nothing.
        Assert.Empty(Run(12, t => t >= 3 ? Cues(3, 6) with { Aligned = false } : Cues(0, 0), swaying));
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
    public void Smoke_is_looked_for_and_measured_only_where_a_zone_asks_for_it()
    {
        FireZone Zone(string name, double? minSmokeArea) =>
            new(new WatchedZone(name, Whole, Schedule.Always), 0.002, 2.5, minSmokeArea, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
        var flamesOnly = new Fire([Zone("yard", null)]);
        var oneWithSmoke = new Fire([Zone("yard", null), Zone("hill", 0.01)]);

        Assert.False(flamesOnly.NeedsSmokeCues);
        Assert.True(oneWithSmoke.NeedsSmokeCues);
        oneWithSmoke.Update(new SceneState("cam", TimeSpan.Zero, DateTimeOffset.UnixEpoch, 640, 360, [], []) { Fire = Cues(3, 6) });
        Assert.Equal(["hill"], oneWithSmoke.Measurements.Where(m => m.Name == "smoke_area").Select(m => m.Where));
        Assert.Equal(2, oneWithSmoke.Measurements.Count(m => m.Name == "flame_area"));
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

    /// <summary>
    /// Smoke over 12 cells (8 % of the image) on the frames <paramref name="seen"/> says, the image under it
    /// moving at (<paramref name="flowX"/>, <paramref name="flowY"/>) image units per second on a finer motion grid.
    /// </summary>
    /// <param name="everywhere">The whole image moves so, not only under the smoke: the camera tilting.</param>
    private static List<EventChange> RunSmoke(double seconds, Func<double, bool> seen, float flowX, float flowY, bool everywhere = false)
    {
        var rule = new Fire([new FireZone(new WatchedZone("yard", Whole, Schedule.Always), 0.002, 2.5, 0.01, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6))]);
        const int motionCols = 32, motionRows = 18;
        var (fx, fy) = (new float[motionCols * motionRows], new float[motionCols * motionRows]);
        for (int r = 0; r < motionRows; r++)
            for (int c = 0; c < motionCols; c++)
                if (everywhere || (r is >= 4 and < 10 && c is >= 12 and < 20)) (fx[r * motionCols + c], fy[r * motionCols + c]) = (flowX, flowY);
        var motion = new MotionField(motionCols, motionRows, new float[motionCols * motionRows], fx, fy);
        var changes = new List<EventChange>();
        for (var frame = 0; frame * 0.2 <= seconds + 1e-9; frame++)
        {
            var t = frame * 0.2;
            var smoke = new float[Cols * Rows];
            if (seen(t))
                for (int r = 2; r < 5; r++)
                    for (int c = 6; c < 10; c++) smoke[r * Cols + c] = 1;
            var cues = new FireCues(Cols, Rows, new float[Cols * Rows], smoke, 0);
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), 640, 360, [], [])
                { Fire = cues, Motion = motion }));
        }
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(seconds)));
        return changes;
    }

    [Fact]
    public void Smoke_that_rises_for_the_smoke_dwell_is_fire_even_when_it_thins_for_a_moment()
    {
        // From 2 s, thinning below the area for 0.6 s at 5 s, rising 0.05 image heights a second and drifting a little.
        var alert = Assert.Single(RunSmoke(12, t => t >= 2 && t is < 5 or > 5.6, flowX: 0.02f, flowY: -0.05f), c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 1.99, 2.01);
        Assert.InRange(alert.RaisedAt.TotalSeconds, 7.99, 8.01);
        Assert.Contains("rising smoke over 8.3 % of the image", alert.Detail);
        // Gone for more than a second: its clock starts again.
        Assert.InRange(Assert.Single(RunSmoke(14, t => t >= 2 && t is < 5 or > 6.4, 0, -0.05f), c => !c.Closed).Event.Start.TotalSeconds, 6.59, 6.61);
    }

    [Theory]
    [InlineData(0.1f, 0f)]      // a grey van driving past
    [InlineData(0f, 0f)]        // parked
    [InlineData(0f, 0.05f)]     // coming down the image
    [InlineData(0.2f, -0.05f)]  // more sideways than up
    [InlineData(0f, -0.8f)]     // up the image far faster than smoke climbs
    public void Grey_haze_that_does_not_rise_slowly_is_not_smoke(float flowX, float flowY) =>
        Assert.Empty(RunSmoke(12, t => t >= 2, flowX, flowY));

    [Fact]
    public void A_camera_tilting_down_makes_everything_rise_but_raises_no_smoke() =>
        // The same rising grey haze that is smoke on a still camera (test above).
        Assert.Empty(RunSmoke(12, t => t >= 2, 0, -0.05f, everywhere: true));

    /// <summary>Flickering flames over as many cells as <paramref name="cells"/> says at each time, in a zone asking for this growth.</summary>
    private static List<EventChange> RunFlames(Func<double, int> cells, double? minGrowth)
    {
        var rule = new Fire([new FireZone(new WatchedZone("yard", Whole, Schedule.Always), 0.002, 2.5, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6))
            { MinGrowth = minGrowth }]);
        var changes = new List<EventChange>();
        for (var frame = 0; frame * 0.2 <= 10 + 1e-9; frame++)
        {
            var t = frame * 0.2;
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), 640, 360, [], [])
                { Fire = Cues(cells(t), 5) }));
        }
        return changes;
    }

    [Fact]
    public void Asked_to_grow_steady_flames_wait_and_growing_ones_alert_once_grown()
    {
        Assert.Empty(RunFlames(t => t >= 1 ? 4 : 0, minGrowth: 0.5));
        Assert.Single(RunFlames(t => t >= 1 ? 4 : 0, minGrowth: null));
        // Two cells at 1 s, one more each second: at the dwell (3 s) the last three frames hold 3, 3 and 4.
        var alert = Assert.Single(RunFlames(t => t >= 1 ? 1 + (int)t : 0, minGrowth: 0.5)).Event;
        Assert.Equal(1, alert.Start.TotalSeconds, 3);
        Assert.Equal(3, alert.RaisedAt.TotalSeconds, 3);
        Assert.Contains("area +67% in 2.0 s", alert.Detail);
        // Asked for twice the first area: once the last three frames all hold 4 cells, at 3.4 s.
        Assert.Equal(3.4, Assert.Single(RunFlames(t => t >= 1 ? 1 + (int)t : 0, minGrowth: 1.0)).Event.RaisedAt.TotalSeconds, 3);
    }

    [Fact]
    public void Growth_compares_the_latest_areas_with_the_first()
    {
        Assert.Equal(0.5, Fire.Growth([0.02, 0.02, 0.02], [0.03, 0.03, 0.03]), 6);
        Assert.Equal(-0.5, Fire.Growth([0.02], [0.01]), 6);
        Assert.Equal(0, Fire.Growth([], [0.01]));
    }

    [Fact]
    public void Rising_is_up_slow_and_more_up_than_sideways()
    {
        Assert.True(Fire.Rises(0, -0.05));
        Assert.True(Fire.Rises(-0.04, -0.05));
        Assert.False(Fire.Rises(0, -0.005));
        Assert.False(Fire.Rises(0.2, -0.05));
        Assert.False(Fire.Rises(0, 0.05));
    }
}
