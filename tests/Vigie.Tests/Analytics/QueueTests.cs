using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Tests.Analytics;

/// <summary>
/// A queue is the movement rules' everyday negative: people standing close together, shuffling forward a
/// step at a time towards a counter, someone stepping back to make room. None of the three movement rules
/// may fire on it, while the same rules still see what is wrong with it when it is.
/// </summary>
public class QueueTests
{
    private const int W = 1280, H = 720, Cols = 24, Rows = 13;
    private const float PersonHeight = 120, PersonWidth = 45;
    private static readonly Point2[] Whole = [new(0, 0), new(1, 0), new(1, 1), new(0, 1)];

    /// <summary>
    /// Where the feet of the queue's <paramref name="place"/>-th person are (pixels): a line going up the image
    /// towards a counter at the top; every 5 s the queue moves up by a quarter of a person's height, the step walked in
    /// one second and passed back the line 0.4 s per place; the third person steps back 20 px at 21 s and
    /// returns at 23 s; everyone sways by a few pixels. From <paramref name="runAt"/> on, the whole queue runs
    /// off to the right at 2.2 heights per second.
    /// </summary>
    private static Point2 FeetOf(int place, double t, double? runAt)
    {
        var advanced = 0.0;
        for (var start = 5.0; start <= t; start += 5)
        {
            var mine = start + 0.4 * place;
            advanced += 0.25 * PersonHeight * Math.Clamp(t - mine, 0, 1);
        }
        var ran = runAt is { } run && t > run ? 2.2 * PersonHeight * (t - run) : 0;
        var back = place == 2 && t is >= 21 and < 23 ? 20 : 0;
        var sway = 3 * Math.Sin(1.3 * t + place);
        return new Point2((float)(W / 2 + sway + ran), (float)(330 + 0.45 * PersonHeight * place - advanced + back));
    }

    private static Box BoxOf(Point2 feet) => new(feet.X - PersonWidth / 2, feet.Y - PersonHeight, PersonWidth, PersonHeight);

    /// <summary>Runs the rules on a queue of <paramref name="people"/> for 40 s at 5 frames/s, with the optical flow its steps make.</summary>
    private static List<EventChange> Run(int people, double? runAt, params IEventRule[] rules)
    {
        var history = Enumerable.Range(0, people).Select(_ => new List<TimedBox>()).ToList();
        var changes = new List<EventChange>();
        for (var t = 0.0; t < 40; t += 0.2)
        {
            var now = TimeSpan.FromSeconds(t);
            var fx = new float[Cols * Rows];
            var fy = new float[Cols * Rows];
            var tracks = new List<Track>();
            for (int p = 0; p < people; p++)
            {
                var box = BoxOf(FeetOf(p, t, runAt));
                history[p].Add(new TimedBox(now, box));
                tracks.Add(new Track(p + 1, box, Category.Person, "person", 0.9f, TimeSpan.Zero, now, default, history[p].ToArray()));
                // The flow of this person's cells: their feet's velocity over the last frame, in image fractions per second.
                var v = (FeetOf(p, t, runAt) - FeetOf(p, Math.Max(0, t - 0.2), runAt)) * 5f;
                for (int r = Math.Max(0, (int)(box.Y / H * Rows)); r <= Math.Min(Rows - 1, (int)(box.Bottom / H * Rows)); r++)
                    for (int c = Math.Max(0, (int)(box.X / W * Cols)); c <= Math.Min(Cols - 1, (int)(box.Right / W * Cols)); c++)
                    {
                        fx[r * Cols + c] = v.X / W;
                        fy[r * Cols + c] = v.Y / H;
                    }
            }
            var state = new SceneState("cam", now, DateTimeOffset.UnixEpoch.AddSeconds(t), W, H, tracks, [])
            {
                Detections = tracks.Select(tr => new Detection(tr.Box, Category.Person, "person", 0.9f)).ToList(),
                Motion = new MotionField(Cols, Rows, new float[Cols * Rows], fx, fy),
            };
            foreach (var rule in rules) changes.AddRange(rule.Update(state));
        }
        foreach (var rule in rules) changes.AddRange(rule.Flush(TimeSpan.FromSeconds(40)));
        return changes;
    }

    private static WatchedZone Zone => new("queue", Whole, Schedule.Always);

    private static WrongWay TowardsTheCounter() =>
        new([new WrongWayZone(Zone, new Point2(0, -1), new HashSet<Category> { Category.Person }, 0.1, 3, TimeSpan.FromSeconds(1), 60)], null);

    private static CrowdMovement Movement() =>
        new([new CrowdMovementZone(Zone, 4, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.05, null, MinPeople: 3, RunSpeed: 2)]);

    private static CrowdDensity Density(double maxPersons) =>
        new([new CrowdDensityZone(Zone, maxPersons, null, TimeSpan.FromSeconds(3), false)], null);

    [Fact]
    public void A_queue_shuffling_forward_raises_nothing()
    {
        Assert.Empty(Run(8, runAt: null, TowardsTheCounter(), Movement(), Density(10)));
    }

    [Fact]
    public void The_same_queue_is_over_a_lower_limit_and_breaking_into_a_run_is_a_crowd_movement()
    {
        Assert.Contains(Run(8, runAt: null, Density(6)), c => !c.Closed && c.Event.Kind == EventKinds.CrowdDensity);
        var run = Assert.Single(Run(8, runAt: 30, Movement()), c => !c.Closed).Event;
        Assert.Equal(EventKinds.CrowdMovement, run.Kind);
        Assert.InRange(run.Start.TotalSeconds, 30, 31.2);
    }

    [Fact]
    public void Walking_back_down_the_queue_is_wrong_way()
    {
        // The same queue seen with the allowed direction reversed: everyone's steps go the wrong way.
        var reversed = new WrongWay([new WrongWayZone(Zone, new Point2(0, 1), new HashSet<Category> { Category.Person }, 0.03, 3, TimeSpan.FromSeconds(1), 60)], null);
        Assert.Contains(Run(8, runAt: null, reversed), c => !c.Closed && c.Event.Kind == EventKinds.WrongWay);
    }
}
