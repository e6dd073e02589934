using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Tests.Analytics;

public class AbandonedObjectTests
{
    private static readonly Point2[] Whole = [new(0, 0), new(1, 0), new(1, 1), new(0, 1)];
    private static readonly Box BagBox = new(100, 400, 40, 50);

    private static Detection Bag(Box b) => new(b, Category.Bag, "suitcase", 0.8f);
    private static Detection Person(float x) => new(new Box(x, 300, 50, 160), Category.Person, "person", 0.9f);

    private static List<EventChange> Run(double seconds, Func<double, IReadOnlyList<Detection>> detections, double dwell = 10,
        Func<double, ObjectLook>? placeLooks = null, ObjectLook? openingLook = null, Func<double, IReadOnlyList<Track>>? tracks = null,
        double step = 0.2, Func<double, Box, ObjectLook>? looksByBox = null, Func<double, IReadOnlyList<StaticRegion>>? stillRegions = null)
    {
        var rule = new AbandonedObject([new AbandonedObjectZone(new WatchedZone("platform", Whole, Schedule.Always),
            TimeSpan.FromSeconds(dwell), TimeSpan.FromSeconds(5), 0.5, TimeSpan.FromSeconds(5))
        {
            StaticObjects = stillRegions is null ? null : new StaticObjectSize(0.0005, 0.2),
        }]);
        var changes = new List<EventChange>();
        for (var t = 0.0; t <= seconds + 1e-9; t += step)
        {
            var followed = tracks?.Invoke(t) ?? [];
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), 1000, 600, followed, [])
            {
                // As in the pipeline, a tracked person is among the frame's detections too.
                Detections = [.. detections(t), .. followed.Select(f => new Detection(f.Box, f.Category, f.Label, f.Score))],
                LookAt = looksByBox is not null ? box => looksByBox(t, box) : placeLooks is null ? null : _ => placeLooks(t),
                StaticRegions = stillRegions?.Invoke(t),
                LookAtOpening = openingLook is null ? null : _ => openingLook,
            }));
        }
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(seconds)));
        return changes;
    }

    [Fact]
    public void A_bag_left_behind_alerts_after_the_dwell_from_when_its_owner_left()
    {
        // Owner puts the bag down at 10 s, stands by it until 30 s, then walks off to the right.
        var changes = Run(60, t => t < 10 ? [Person(100)]
            : t < 30 ? [Bag(BagBox), Person(145)]
            : [Bag(BagBox), Person((float)(145 + 80 * (t - 30)))]);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal(EventKinds.AbandonedObject, alert.Kind);
        Assert.InRange(alert.Start.TotalSeconds, 30, 31);
        Assert.InRange((alert.RaisedAt - alert.Start).TotalSeconds, 9.9, 10.3);
        Assert.Contains("placed at 10.", alert.Detail);
    }

    [Fact]
    public void A_bag_whose_owner_stays_beside_it_is_not_abandoned()
    {
        Assert.Empty(Run(60, t => t < 10 ? [Person(100)] : [Bag(BagBox), Person(145)]));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(6)] // a sixth of its width a second: each place it passes keeps sightings on over half its frames
    public void A_carried_bag_moving_along_is_never_abandoned(double pixelsPerSecond)
    {
        Assert.Empty(Run(60, t => [Bag(new Box((float)(pixelsPerSecond * t), 400, 40, 50))], dwell: 3));
    }

    [Fact]
    public void A_bag_left_in_view_of_a_swaying_camera_alerts_once()
    {
        // The sway moves the small bag by up to half its width each way over 3 s.
        var changes = Run(60, t => t < 10 ? [Person(100)]
            : [Bag(BagBox with { X = (float)(100 + 20 * Math.Sin(2 * Math.PI * t / 3)) }), .. t < 20 ? [Person(145)] : Array.Empty<Detection>()]);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 20, 20.5);
    }

    [Fact]
    public void One_bag_seen_in_two_overlapping_boxes_alerts_once()
    {
        // First boxed alone, then for a moment with its owner's feet (a box too far off to be the same place),
        // then by turns matching each of the two places.
        var changes = Run(60, t => t < 10 ? [Person(100)]
            : [Bag(t < 12 ? BagBox : t < 13 ? BagBox with { X = 122 } : BagBox with { X = (int)(t * 5) % 2 == 0 ? 104 : 118 }),
                .. t < 20 ? [Person(145)] : Array.Empty<Detection>()]);
        Assert.Single(changes, c => !c.Closed);
    }

    [Fact]
    public void Something_there_from_the_start_is_part_of_the_scene()
    {
        Assert.Empty(Run(60, _ => [Bag(BagBox)], dwell: 3));
    }

    [Fact]
    public void A_bag_taken_away_closes_its_event()
    {
        var changes = Run(60, t => t < 8 ? [] : t < 30 ? [Bag(BagBox)] : [], dwell: 5);
        Assert.Single(changes, c => !c.Closed);
        var closed = Assert.Single(changes, c => c.Closed).Event;
        Assert.InRange(closed.End!.Value.TotalSeconds, 29.7, 30.1);
    }

    [Fact]
    public void People_walking_in_front_of_the_bag_do_not_reset_it()
    {
        // Occluded (not detected) one frame in three: still the same object in the same place.
        var changes = Run(40, t => t < 8 ? [] : ((int)(t * 5)) % 3 == 0 ? [] : [Bag(BagBox)], dwell: 10);
        Assert.Single(changes, c => !c.Closed);
    }

    private static readonly ObjectLook SuitcaseLook = ObjectLook.FromGrey(Enumerable.Range(0, 256).Select(i => (byte)(i % 16 < 8 ? 30 : 120)).ToArray());
    private static readonly ObjectLook FloorLook = ObjectLook.FromGrey(Enumerable.Range(0, 256).Select(i => (byte)(i / 16 < 8 ? 150 : 90)).ToArray());

    [Fact]
    public void A_bag_the_detector_stops_seeing_is_still_there_while_its_place_looks_the_same()
    {
        // Left at 10 s, owner gone at 12 s; the detector loses it at 14 s. Without looks it is gone at 24 s.
        IReadOnlyList<Detection> Seen(double t) => t < 10 ? [Person(100)] : t < 12 ? [Bag(BagBox), Person(145)] : t < 14 ? [Bag(BagBox)] : [];
        Assert.DoesNotContain(Run(40, Seen), c => !c.Closed);
        var alert = Assert.Single(Run(40, Seen, placeLooks: _ => SuitcaseLook), c => !c.Closed).Event;
        Assert.InRange(alert.RaisedAt.TotalSeconds, 22, 23);
    }

    [Fact]
    public void A_still_region_over_a_detected_bag_keeps_the_bag_s_box_so_its_look_still_holds()
    {
        // Left at 10 s, owner gone at 12 s; the model of still things shows the bag with its shadow (a larger box at the
        // same place) from 13 to 16 s, then takes it into the background; the detector loses the bag at 14 s. Its look
        // was taken on the detector's box: on the shadow's box the place looks like something else.
        var withShadow = new Box(95, 395, 50, 80);
        IReadOnlyList<Detection> Seen(double t) => t < 10 ? [Person(100)] : t < 12 ? [Bag(BagBox), Person(145)] : t < 14 ? [Bag(BagBox)] : [];
        var changes = Run(40, Seen, looksByBox: (_, box) => box == BagBox ? SuitcaseLook : FloorLook,
            stillRegions: t => t is >= 13 and < 16 ? [new StaticRegion(withShadow, TimeSpan.FromSeconds(11))] : []);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.InRange(alert.RaisedAt.TotalSeconds, 22, 23);
        Assert.Equal(new Box(0.1f, 400 / 600f, 0.04f, 50 / 600f), alert.Box);
    }

    [Fact]
    public void A_bag_taken_while_the_detector_missed_it_is_gone_when_its_place_looks_different()
    {
        // The detector lost the bag at 14 s; taken at 16 s, its place shows the floor again.
        var changes = Run(40, t => t < 10 ? [Person(100)] : t < 12 ? [Bag(BagBox), Person(145)] : t < 14 ? [Bag(BagBox)] : [],
            placeLooks: t => t < 16 ? SuitcaseLook : FloorLook);
        Assert.DoesNotContain(changes, c => !c.Closed);
    }

    [Fact]
    public void Scenery_first_taken_for_a_bag_after_the_warm_up_is_part_of_the_scene_when_it_looks_as_at_the_start()
    {
        // A bench called "suitcase" from 10 s on (warm-up 5 s): its place looked the same in the first frame.
        Assert.Empty(Run(60, t => t >= 10 ? [Bag(BagBox)] : [], dwell: 5, placeLooks: _ => SuitcaseLook, openingLook: SuitcaseLook));
        // The same detections where the first frame showed bare floor: a bag left there.
        Assert.Single(Run(60, t => t >= 10 ? [Bag(BagBox)] : [], dwell: 5, placeLooks: _ => SuitcaseLook, openingLook: FloorLook), c => !c.Closed);
    }

    [Fact]
    public void A_few_stray_detections_do_not_make_a_place_an_object()
    {
        // Three sightings of a "bag" on an unchanging piece of floor: its look never stands in for them.
        Assert.Empty(Run(60, t => t is > 10 and < 10.5 ? [Bag(BagBox)] : [], dwell: 5, placeLooks: _ => FloorLook));
        // At 25 frames a second, six sightings are a glimpse too (0.2 s); over a second, something is there.
        Assert.Empty(Run(60, t => t is > 10 and < 10.22 ? [Bag(BagBox)] : [], dwell: 5, placeLooks: _ => FloorLook, step: 0.04));
        Assert.Single(Run(60, t => t is > 10 and < 11 ? [Bag(BagBox)] : [], dwell: 5, placeLooks: _ => FloorLook, step: 0.04), c => !c.Closed);
    }

    /// <summary>A tracked person seen every 0.2 s since <paramref name="since"/>, at the x its path gives for each moment.</summary>
    private static Track Followed(int id, double since, double now, Func<double, double> x)
    {
        var history = new List<TimedBox>();
        for (var h = since; h <= now + 1e-9; h += 0.2) history.Add(new TimedBox(TimeSpan.FromSeconds(h), new Box((float)x(h), 300, 50, 160)));
        return new Track(id, history[^1].Box, Category.Person, "person", 0.9f, TimeSpan.FromSeconds(since), TimeSpan.FromSeconds(now), default, history);
    }

    // The owner stands beside the bag from 10 s, then walks off to the right at 20 s.
    private static Track Owner(double t) => Followed(1, 0, t, h => h < 20 ? 145 : 145 + 80 * (h - 20));

    [Fact]
    public void People_walking_past_a_bag_left_in_a_busy_place_do_not_attend_it()
    {
        // Every 6 s from 22 s someone walks past it, near it for about a second each time.
        var changes = Run(50, t => t < 10 ? [] : [Bag(BagBox)], tracks: t =>
        {
            var walkers = Enumerable.Range(0, 5).Select(i => (Id: 10 + i, From: 22.0 + 6 * i)).Where(w => t >= w.From)
                .Select(w => Followed(w.Id, w.From, t, h => -50 + 150 * (h - w.From)));
            return [Owner(t), .. walkers];
        });
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 20, 21);
        Assert.InRange(alert.RaisedAt.TotalSeconds, 30, 31.2);
    }

    [Fact]
    public void A_tracked_person_staying_beside_the_bag_attends_it()
    {
        Assert.Empty(Run(60, t => t < 10 ? [] : [Bag(BagBox)], tracks: t => [Followed(1, 0, t, _ => 145)]));
    }

    [Fact]
    public void Someone_stopping_by_the_bag_for_a_while_attends_it_until_they_leave()
    {
        // After the owner has gone, someone walks up at 25 s, stays beside the bag until 31 s, and walks on.
        var changes = Run(50, t => t < 10 ? [] : [Bag(BagBox)], tracks: t =>
            [Owner(t), .. t >= 24 ? [Followed(2, 24, t, h => h < 25 ? 145 - 150 * (25 - h) : h < 31 ? 145 : 145 + 150 * (h - 31))] : Array.Empty<Track>()]);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 31, 32);
    }

    [Fact]
    public void Same_place_and_attended_are_pure_box_geometry()
    {
        Assert.True(AbandonedObject.SamePlace(BagBox, BagBox with { X = 105 }));
        Assert.False(AbandonedObject.SamePlace(BagBox, BagBox with { X = 130 }));
        Assert.True(AbandonedObject.Attended(BagBox, new Box(160, 300, 50, 160), 0.5));
        Assert.False(AbandonedObject.Attended(BagBox, new Box(300, 300, 50, 160), 0.5));
        Assert.True(AbandonedObject.Stays(BagBox, Followed(1, 0, 10, _ => 145), 0.5));
        var passing = Followed(2, 0, 10, h => 145 - 150 * (10 - h));
        Assert.True(AbandonedObject.Attended(BagBox, passing.Box, 0.5));
        Assert.False(AbandonedObject.Stays(BagBox, passing, 0.5));
        Assert.False(AbandonedObject.Stays(BagBox, Followed(3, 9, 10, _ => 145), 0.5));
        // Stepping in and out of the near area every other sighting: near half the time, 5 s in all.
        Assert.True(AbandonedObject.Stays(BagBox, Followed(4, 0, 10, h => (int)Math.Round(h * 5) % 2 == 0 ? 145 : 200), 0.5));
        // Walking past twice, 5 s apart: about a second near each time.
        Assert.False(AbandonedObject.Stays(BagBox, Followed(5, 0, 10, h => h < 5 ? 145 - 150 * (5 - h) : 145 - 150 * (10 - h)), 0.5));
    }
}
