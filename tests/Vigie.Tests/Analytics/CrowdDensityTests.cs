using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Analytics;

public class CrowdDensityTests
{
    private const int W = 1000, H = 1000;
    private static readonly Point2[] Square = [new(0, 0), new(1, 0), new(1, 1), new(0, 1)];

    private static Detection Person(double x, double y) => new(new Box((float)(x * W), (float)(y * H - 100), 40, 100), Category.Person, "person", 0.9f);

    private static SceneState State(double t, IReadOnlyList<Detection> people, MotionField? motion = null) =>
        new("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), W, H, [], []) { Detections = people, Motion = motion };

    private static IReadOnlyList<Detection> Crowd(int n) => Enumerable.Range(0, n).Select(i => Person(0.02 * (i % 40), 0.3 + 0.01 * (i / 40))).ToList();

    [Fact]
    public void Too_many_people_for_longer_than_the_dwell_raise_one_alert_with_the_count()
    {
        var rule = new CrowdDensity([new CrowdDensityZone(new WatchedZone("hall", Square, Schedule.Always), 30, null, TimeSpan.FromSeconds(3), false)], null);
        var changes = new List<EventChange>();
        for (var t = 0.0; t < 20; t += 0.2)
            changes.AddRange(rule.Update(State(t, Crowd(t is >= 5 and < 12 ? 45 : 10))));
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal(5, alert.Start.TotalSeconds, 1);
        Assert.Equal(8, alert.RaisedAt.TotalSeconds, 1);
        Assert.Contains("45 persons (limit 30)", alert.Detail);
        var closed = Assert.Single(changes, c => c.Closed).Event;
        Assert.InRange(closed.End!.Value.TotalSeconds, 11.7, 12.1);
        Assert.Contains(rule.Measurements, m => m.Name == "persons" && m.Value == 10);
    }

    [Fact]
    public void A_crowd_map_counts_what_the_detector_missed_and_never_less_than_the_detections()
    {
        var rule = new CrowdDensity([new CrowdDensityZone(new WatchedZone("left", [new(0, 0), new(0.5f, 0), new(0.5f, 1), new(0, 1)], Schedule.Always),
            30, null, TimeSpan.Zero, false)], null);
        // A 4 × 2 map: 10 people per cell on the left half (40), 1 per cell on the right.
        var map = new CrowdMap(4, 2, [10, 10, 1, 1, 10, 10, 1, 1], TimeSpan.Zero);
        var changes = rule.Update(State(0, Crowd(5)) with { CrowdMap = map });
        Assert.Contains("40 persons (limit 30)", Assert.Single(changes).Event.Detail);
        rule.Update(State(1, Crowd(12)) with { CrowdMap = map with { People = [1, 1, 0, 0, 1, 1, 0, 0] } });
        Assert.Equal(12, Assert.Single(rule.Measurements, m => m.Name == "persons").Value);
    }

    [Fact]
    public void The_counting_pass_counts_the_people_the_frame_detections_missed_until_its_next_run()
    {
        var rule = new CrowdDensity([new CrowdDensityZone(new WatchedZone("hall", Square, Schedule.Always), 30, null, TimeSpan.Zero, false)], null);
        // The pass at 0 s found 42 people; the frames until its next run detect 12 to 15 of them.
        var pass = new CountedPeople(Crowd(42), TimeSpan.Zero);
        var changes = new List<EventChange>();
        foreach (var (t, seen) in new[] { (0.0, 15), (0.2, 12), (0.4, 14) })
        {
            changes.AddRange(rule.Update(State(t, Crowd(seen)) with { CountedPeople = pass }));
            Assert.Equal(42, Assert.Single(rule.Measurements, m => m.Name == "persons").Value);
        }
        Assert.Contains("42 persons (limit 30)", Assert.Single(changes).Event.Detail);
        // Never fewer than the frame's own detections.
        rule.Update(State(1, Crowd(50)) with { CountedPeople = pass with { People = Crowd(20), Time = TimeSpan.FromSeconds(1) } });
        Assert.Equal(50, Assert.Single(rule.Measurements, m => m.Name == "persons").Value);
    }

    [Fact]
    public void Weak_people_of_the_counting_pass_add_to_the_count_but_do_not_teach_the_size_of_a_person()
    {
        // A fire: a third of the picture is foreground, and the counting pass calls ten small blobs in its
        // smoke people, all below the score the rules act on (0.5 here).
        var fg = new float[100];
        for (int i = 0; i < 33; i++) fg[i] = 1;
        var smoke = new MotionField(10, 10, fg, new float[100], new float[100]);
        IReadOnlyList<Detection> Blobs(float score) =>
            Enumerable.Range(0, 10).Select(i => new Detection(new Box(100 * i, 200, 10, 20), Category.Person, "person", score)).ToList();
        double Count(float score)
        {
            var rule = new CrowdDensity([new CrowdDensityZone(new WatchedZone("yard", Square, Schedule.Always), 30, null, TimeSpan.Zero, true)], null);
            for (var t = 0.0; t < 3; t += 0.2)
                rule.Update(State(t, []) with { Motion = smoke, CountedPeople = new CountedPeople(Blobs(score), TimeSpan.FromSeconds(t), ConfidentFrom: 0.5f) });
            return Assert.Single(rule.Measurements, m => m.Name == "persons").Value;
        }
        Assert.Equal(10, Count(0.3f));
        // Had they been sure, a person would be 10 × 20 pixels and the smoke hundreds of them.
        var sure = Count(0.6f);
        Assert.True(sure > 100, $"{sure}");
    }

    [Fact]
    public void A_short_peak_does_not_alert()
    {
        var rule = new CrowdDensity([new CrowdDensityZone(new WatchedZone("hall", Square, Schedule.Always), 30, null, TimeSpan.FromSeconds(3), false)], null);
        var changes = new List<EventChange>();
        for (var t = 0.0; t < 10; t += 0.2) changes.AddRange(rule.Update(State(t, Crowd(t is >= 5 and < 6 ? 45 : 10))));
        Assert.Empty(changes);
    }

    [Fact]
    public void Density_uses_the_calibrated_area()
    {
        // The image covers 10 m × 10 m: 100 m². 45 people is 0.45 persons/m².
        var ground = new GroundPlane(Homography.FromPoints(Square, [new(0, 10), new(10, 10), new(10, 0), new(0, 0)])!);
        var rule = new CrowdDensity([new CrowdDensityZone(new WatchedZone("hall", Square, Schedule.Always), null, 0.4, TimeSpan.Zero, false)], ground);
        var changes = rule.Update(State(0, Crowd(45)));
        Assert.Contains("0.45 persons/m²", Assert.Single(changes).Event.Detail);
        Assert.Contains(rule.Measurements, m => m.Name == "density" && Math.Abs(m.Value - 0.45) < 1e-6);
    }

    [Fact]
    public void Foreground_estimate_counts_people_the_detector_missed_scaled_by_perspective()
    {
        var scale = new PersonScale();
        // People 0.1 high with feet at row 0.5, 0.3 high at row 0.9 (aspect 0.4).
        for (int i = 0; i < 10; i++)
        {
            scale.Observe(0.5, 0.1, 0.04);
            scale.Observe(0.9, 0.3, 0.12);
        }
        Assert.Equal(0.2, scale.HeightAt(0.7), 3);
        // A 10 × 10 grid whose row 4 (centre y = 0.45) is fully foreground: 10 cells of 1 % of the image.
        var fg = new float[100];
        for (int c = 0; c < 10; c++) fg[40 + c] = 1;
        var motion = new MotionField(10, 10, fg, new float[100], new float[100]);
        var estimate = CrowdDensity.ForegroundEstimate(motion, Enumerable.Range(0, 100).ToList(), scale)!.Value;
        // Foreground at y = 0.45 is the middle of people with feet at 0.5 (0.5 − 0.1 / 2): height 0.1, area
        // 0.1² × 0.4 = 0.004: 0.1 / 0.004 = 25 people (not 44, as people with feet at 0.45 would be).
        Assert.Equal(0.5, scale.FeetRowOfMiddleAt(0.45), 3);
        Assert.Equal(25, estimate, 0);
        Assert.Null(CrowdDensity.ForegroundEstimate(motion with { ForegroundReady = false }, Enumerable.Range(0, 100).ToList(), scale));
    }
}
