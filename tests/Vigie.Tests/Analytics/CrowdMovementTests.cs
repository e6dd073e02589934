using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Tests.Analytics;

public class CrowdMovementTests
{
    private const int Cols = 20, Rows = 10;
    private static readonly Point2[] Whole = [new(0, 0), new(1, 0), new(1, 1), new(0, 1)];

    /// <summary>A flow field where the cells of the crowd (the lower half) move with the given vector plus noise.</summary>
    private static MotionField Field(Random rng, Func<int, int, (double X, double Y)> crowd, bool everywhere = false)
    {
        var fx = new float[Cols * Rows];
        var fy = new float[Cols * Rows];
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
            {
                if (!everywhere && r < Rows / 2) continue; // the static background of the upper half
                var (x, y) = crowd(c, r);
                fx[r * Cols + c] = (float)(x + (rng.NextDouble() - 0.5) * 0.02);
                fy[r * Cols + c] = (float)(y + (rng.NextDouble() - 0.5) * 0.02);
            }
        return new MotionField(Cols, Rows, new float[Cols * Rows], fx, fy);
    }

    // The configuration's defaults: 4 spreads, 1 s dwell, 5 s warm-up.
    private static CrowdMovement Rule() => new([new CrowdMovementZone(new WatchedZone("square", Whole, Schedule.Always), 4,
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(new Vigie.Config.CrowdMovementConfig().WarmupS), 0.05, null, MinPeople: 3)]);

    // Twelve people standing in the lower half of the 640×360 image, where the flow of Field is.
    private static readonly Detection[] Crowd = Enumerable.Range(0, 12)
        .Select(i => new Detection(new Box(20 + 50 * i, 200, 20, 60), Category.Person, "person", 0.8f)).ToArray();

    /// <param name="step">Seconds between analysed frames: 0.2 is the default 5 frames/s.</param>
    private static List<EventChange> Run(CrowdMovement rule, double seconds, Func<double, MotionField> field, IReadOnlyList<Detection>? seen = null,
        double step = 0.2)
    {
        var changes = new List<EventChange>();
        for (var t = 0.0; t < seconds; t += step)
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), 640, 360, [], [])
            {
                Motion = field(t),
                Detections = seen ?? Crowd,
            }));
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(seconds)));
        return changes;
    }

    // People milling about: cells move in alternating directions at a walking pace.
    private static (double, double) Milling(int c, int r) => ((c + r) % 2 == 0 ? 0.04 : -0.04, 0);

    [Fact]
    public void A_crowd_that_starts_running_one_way_alerts_after_the_dwell_with_its_onset()
    {
        var rng = new Random(1);
        var changes = Run(Rule(), 40, t => Field(rng, t < 25 ? Milling : (_, _) => (0.3, 0)));
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal(25, alert.Start.TotalSeconds, 0);
        Assert.InRange((alert.RaisedAt - alert.Start).TotalSeconds, 0.99, 1.3);
        Assert.Contains("surging one way", alert.Detail);
    }

    [Fact]
    public void The_learned_normal_forgets_over_seconds_at_any_analysis_rate()
    {
        // After 20 s of milling, the crowd speeds up one way over a second or two. The normal it is judged against is
        // the last ten seconds' at 5 and at 25 analysed frames a second alike: when it forgot over a number of frames
        // (50), at 25 a second it followed the speeding crowd five times as closely and never saw it.
        static (double, double) SpeedingUp(double t) => (0.04 + 0.08 * (t - 20), 0);
        var raised = new[] { 0.2, 0.04 }.Select(step =>
        {
            var rng = new Random(3);
            var changes = Run(Rule(), 30, t => Field(rng, t < 20 ? Milling : (_, _) => SpeedingUp(t)), step: step);
            return Assert.Single(changes, c => !c.Closed).Event.RaisedAt.TotalSeconds;
        }).ToList();
        Assert.InRange(raised[1], raised[0] - 0.4, raised[0] + 0.4);
    }

    [Fact]
    public void Sudden_motion_with_fewer_people_than_a_crowd_is_not_a_crowd_movement()
    {
        var rng = new Random(1);
        var car = new Detection(new Box(300, 220, 120, 60), Category.Vehicle, "car", 0.9f);
        Assert.Empty(Run(Rule(), 40, t => Field(rng, t < 25 ? Milling : (_, _) => (0.3, 0)), [car, Crowd[0], Crowd[1]]));
        // The third person makes it a crowd.
        Assert.Single(Run(Rule(), 40, t => Field(rng, t < 25 ? Milling : (_, _) => (0.3, 0)), [car, .. Crowd[..3]]), c => !c.Closed);
    }

    [Fact]
    public void A_crowd_dispersing_from_a_point_is_reported_as_dispersing()
    {
        var rng = new Random(2);
        var changes = Run(Rule(), 40, t => Field(rng, t < 25 ? Milling : (c, r) => ((c - Cols / 2.0) * 0.05, (r - Rows * 0.75) * 0.1)));
        Assert.Contains("dispersing", Assert.Single(changes, c => !c.Closed).Event.Detail);
    }

    [Fact]
    public void A_crowd_surging_seconds_after_the_camera_starts_is_judged_against_those_first_seconds()
    {
        var rng = new Random(6);
        var alert = Assert.Single(Run(Rule(), 12, t => Field(rng, t < 6 ? Milling : (_, _) => (0.3, 0))), c => !c.Closed).Event;
        Assert.Equal(6, alert.Start.TotalSeconds, 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void A_scene_whose_motion_varies_a_lot_from_frame_to_frame_learns_a_wide_enough_normal_in_its_warm_up(int seed)
    {
        // Walking pace varying every frame between 0.03 and 0.18 image/s: five seconds of it must teach
        // a normal wide enough that its ordinary frames are not taken for a surge.
        var rng = new Random(seed);
        Assert.Empty(Run(Rule(), 30, _ =>
        {
            var pace = 0.03 + 0.15 * Math.Pow(rng.NextDouble(), 2);
            return Field(rng, (c, r) => ((c + r) % 2 == 0 ? pace : -pace, 0), everywhere: true);
        }));
    }

    [Fact]
    public void A_busy_scene_moving_at_its_usual_pace_is_normal()
    {
        var rng = new Random(3);
        Assert.Empty(Run(Rule(), 60, _ => Field(rng, (c, r) => ((c + r) % 2 == 0 ? 0.12 : -0.12, 0.02))));
    }

    [Fact]
    public void The_camera_panning_is_not_a_crowd_movement()
    {
        var rng = new Random(4);
        var changes = Run(Rule(), 40, t => Field(rng, t < 25 ? Milling : (_, _) => (0.4, 0.05), everywhere: t >= 25));
        Assert.Empty(changes);
    }

    // Zooming in: every cell moves away from the image centre in proportion to its distance.
    private static (double, double) ZoomingIn(int c, int r) => ((c + 0.5 - Cols / 2.0) / Cols * 0.4, (r + 0.5 - Rows / 2.0) / Rows * 0.4);

    [Fact]
    public void The_camera_zooming_is_not_a_crowd_dispersing()
    {
        var rng = new Random(5);
        Assert.Empty(Run(Rule(), 40, t => Field(rng, t < 25 ? Milling : ZoomingIn, everywhere: t >= 25)));
        // The same outward flow in the crowd's half of the image only is people, not the camera.
        Assert.False(CameraMotion.IsAffineMotion(Field(rng, ZoomingIn)));
        Assert.True(CameraMotion.IsAffineMotion(Field(rng, ZoomingIn, everywhere: true)));
    }

    /// <summary>
    /// Tracked people 60 px tall standing in a row until <paramref name="onset"/>, then moving right at
    /// <paramref name="heightsPerSecond"/> of their height per second; a still flow field (nothing learned).
    /// </summary>
    private static List<EventChange> Runners(int people, double onset, double heightsPerSecond, double seconds = 8, double runSpeed = 2)
    {
        var rule = new CrowdMovement([new CrowdMovementZone(new WatchedZone("square", Whole, Schedule.Always), 4,
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.05, null, MinPeople: 3, RunSpeed: runSpeed)]);
        Box At(int i, double t) => new((float)(20 + 50 * i + 60 * heightsPerSecond * Math.Max(0, t - onset)), 200, 20, 60);
        var changes = new List<EventChange>();
        var still = new MotionField(Cols, Rows, new float[Cols * Rows], new float[Cols * Rows], new float[Cols * Rows]);
        for (var t = 0.0; t < seconds; t += 0.2)
        {
            var now = t;
            var tracks = Enumerable.Range(0, people).Select(i => new Track(i + 1, At(i, now), Category.Person, "person", 0.8f, TimeSpan.Zero,
                TimeSpan.FromSeconds(now), default,
                Enumerable.Range(0, (int)Math.Round(now / 0.2) + 1).Select(k => new TimedBox(TimeSpan.FromSeconds(k * 0.2), At(i, k * 0.2))).ToList())).ToList();
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(now), DateTimeOffset.UnixEpoch.AddSeconds(now), 640, 360, tracks, [])
            {
                Motion = still,
                Detections = tracks.Select(tr => new Detection(tr.Box, Category.Person, "person", 0.8f)).ToList(),
            }));
        }
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(seconds)));
        return changes;
    }

    [Fact]
    public void People_breaking_into_a_run_alert_without_a_learned_normal()
    {
        // Onset at 2 s, well inside the 10 s warm-up: the speed is judged against the people's own height.
        var alert = Assert.Single(Runners(4, onset: 2, heightsPerSecond: 3), c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 2.1, 2.9);
        Assert.InRange((alert.RaisedAt - alert.Start).TotalSeconds, 0.99, 1.3);
        Assert.Contains("crowd running in square", alert.Detail);
        Assert.Contains("4 people running", alert.Detail);
    }

    [Fact]
    public void Walking_a_few_running_or_running_unwatched_is_not_a_crowd_running()
    {
        Assert.Empty(Runners(6, onset: 2, heightsPerSecond: 1.2));
        Assert.Empty(Runners(2, onset: 2, heightsPerSecond: 3));
        Assert.Empty(Runners(6, onset: 2, heightsPerSecond: 3, runSpeed: 0));
    }

    [Fact]
    public void Stats_measure_speed_coherence_and_divergence()
    {
        var uniform = new MotionField(3, 3, new float[9], Enumerable.Repeat(0.1f, 9).ToArray(), new float[9]);
        var s = CrowdMovement.Stats(uniform, Enumerable.Range(0, 9).ToList());
        Assert.Equal(0.1, s.Speed, 5);
        Assert.Equal(1, s.Coherence, 5);
        Assert.Equal(0, s.Divergence, 5);
        Assert.True(uniform.CameraMoving);
        // Outward flow: positive divergence at the centre cell.
        var outward = new MotionField(3, 3, new float[9], [-1, 0, 1, -1, 0, 1, -1, 0, 1], [-1, -1, -1, 0, 0, 0, 1, 1, 1]);
        Assert.True(CrowdMovement.Stats(outward, Enumerable.Range(0, 9).ToList()).Divergence > 0);
    }
}
