using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Tests.Analytics;

/// <summary>Person on the ground and weapon rules on synthetic tracks with exact timing.</summary>
public class SceneStateRuleTests
{
    private const int W = 1000, H = 1000;
    private static readonly Point2[] Whole = [new(-0.01f, -0.01f), new(1.01f, -0.01f), new(1.01f, 1.01f), new(-0.01f, 1.01f)];
    private static readonly Box Standing = new(480, 300, 60, 180);
    private static readonly Box Lying = new(420, 420, 180, 60);

    private static Track Person(int id, Box box, double t, double firstSeen = 0) =>
        new(id, box, Category.Person, "person", 0.9f, TimeSpan.FromSeconds(firstSeen), TimeSpan.FromSeconds(t), default, [new TimedBox(TimeSpan.FromSeconds(t), box)]);

    private static List<EventChange> Run(IEventRule rule, double seconds, Func<double, IReadOnlyList<Track>> tracks,
        Func<double, IReadOnlyList<Detection>>? detections = null, Func<double, ViewShift?>? view = null, double step = 0.2)
    {
        var changes = new List<EventChange>();
        for (var t = 0.0; t <= seconds + 1e-9; t += step)
            changes.AddRange(rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), W, H, tracks(t), [])
            {
                Detections = detections?.Invoke(t) ?? [],
                View = view?.Invoke(t),
            }));
        changes.AddRange(rule.Flush(TimeSpan.FromSeconds(seconds)));
        return changes;
    }

    private static PersonDown Down(bool excludeCentre = false)
    {
        var zones = new List<PersonDownZone> { new(new WatchedZone("frame", Whole, Schedule.Always), false, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)) };
        if (excludeCentre)
            zones.Add(new PersonDownZone(new WatchedZone("bench", [new(0.3f, 0.3f), new(0.7f, 0.3f), new(0.7f, 0.7f), new(0.3f, 0.7f)], Schedule.Always),
                true, TimeSpan.Zero, TimeSpan.Zero));
        return new PersonDown(zones);
    }

    [Fact]
    public void A_fall_then_staying_down_alerts_after_the_down_time()
    {
        var changes = Run(Down(), 10, t => [Person(1, t < 4 ? Standing : Lying, t)]);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal(EventKinds.PersonDown, alert.Kind);
        Assert.InRange(alert.Start.TotalSeconds, 3.8, 4.0);
        Assert.InRange(alert.RaisedAt.TotalSeconds, 5.8, 6.2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_fall_while_the_camera_tilts_is_measured_in_the_moved_view(bool viewMeasured)
    {
        // A handheld camera tilts down as the person falls: everything rises by 150 px in the picture, so the lying
        // box's top (270) is above where the standing top (300) would mark a fall (354). In the moved view the
        // standing top is at 150, the mark at 204: the top dropped by two thirds of the standing height.
        var tiltedDown = new ViewShift(1, 0, 0, -150);
        bool AfterTilt(double t) => t > 3.9;
        var changes = Run(Down(), 10, t => [Person(1, AfterTilt(t) ? tiltedDown.Apply(Lying) : Standing, t)],
            view: t => viewMeasured && AfterTilt(t) && t < 4.1 ? tiltedDown : null);
        if (!viewMeasured)
        {
            Assert.Empty(changes);
            return;
        }
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 3.8, 4.0);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void A_standing_box_moved_past_the_edge_by_the_view_still_gives_the_standing_height(bool cutWhenSeen, bool fall)
    {
        // Seen whole, then a zoom moved the remembered box's top above the picture: it was still seen whole.
        var movedByTheView = new Box(460, -40, 90, 270);
        PersonDown.Sighting[] recent = [new(TimeSpan.FromSeconds(0.8), movedByTheView, cutWhenSeen), new(TimeSpan.FromSeconds(1.0), movedByTheView, cutWhenSeen)];
        var moment = PersonDown.FallMoment(recent, new Box(400, 160, 270, 90), TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(2), H);
        Assert.Equal(fall, moment is not null);
    }

    [Fact]
    public void Lying_down_slowly_is_not_a_fall()
    {
        // Three seconds through intermediate (crouching, sitting) boxes.
        var crouch = new Box(465, 365, 90, 115); // neither upright nor lying
        Assert.Empty(Run(Down(), 12, t => [Person(1, t < 4 ? Standing : t < 7 ? crouch : Lying, t)]));
    }

    [Fact]
    public void Getting_up_before_the_down_time_raises_nothing()
    {
        Assert.Empty(Run(Down(), 10, t => [Person(1, t is >= 4 and < 5 ? Lying : Standing, t)]));
    }

    [Fact]
    public void Sitting_up_or_a_crouching_helper_taking_the_track_does_not_get_the_fallen_person_up()
    {
        // Standing top 300, height 180: up again means a top above 354 or a box at least 126 tall. After the
        // fall the track shows a narrow upright box low down and short (sitting up, or someone crouching by them).
        var sittingUp = new Box(500, 420, 40, 70);
        var changes = Run(Down(), 10, t => [Person(1, t < 4 ? Standing : t < 4.6 ? Lying : sittingUp, t)]);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.InRange(alert.Start.TotalSeconds, 3.8, 4.0);
        Assert.InRange(alert.RaisedAt.TotalSeconds, 5.8, 6.2);
    }

    [Fact]
    public void Getting_up_and_walking_towards_the_camera_is_up_though_lower_in_the_picture()
    {
        var walkingNearer = new Box(470, 400, 70, 190); // top below the mark, but as tall as they stood
        Assert.Empty(Run(Down(), 10, t => [Person(1, t < 4 ? Standing : t < 4.6 ? Lying : walkingNearer, t)]));
        Assert.True(PersonDown.GotUp(Standing, Standing with { Y = 340 }));
        Assert.False(PersonDown.GotUp(Standing, new Box(500, 420, 40, 70)));
    }

    [Theory]
    [InlineData(40, true)] // rolling, stirring, the box wandering: still where they lie
    [InlineData(200, false)] // the track moved on to the head and shoulders of someone half hidden in a crowd
    public void A_lying_box_must_not_jump_off_where_they_lie(int shift, bool alerts)
    {
        var elsewhere = Lying with { X = Lying.X - shift };
        var changes = Run(Down(), 10, t => [Person(1, t < 4 ? Standing : t < 4.5 ? Lying : elsewhere, t)]);
        Assert.Equal(alerts, changes.Any(c => !c.Closed));
    }

    [Fact]
    public void A_lying_box_seen_whole_where_a_piece_of_it_was_seen_is_no_jump()
    {
        // The first look found the legs, the turned look the whole body: centres 110 px apart, more than half the legs' box.
        var legs = new Box(500, 420, 100, 60);
        var whole = new Box(310, 410, 300, 80);
        Assert.True(PersonDown.StillWhereLaid(legs, whole, TimeSpan.FromSeconds(0.2)));
        Assert.True(PersonDown.StillWhereLaid(whole, legs, TimeSpan.FromSeconds(0.2)));
        // The same size beside it is someone else.
        Assert.False(PersonDown.StillWhereLaid(legs, legs with { X = 610 }, TimeSpan.FromSeconds(0.2)));
    }

    [Theory]
    [InlineData(false, false)] // the next frame: a jump
    [InlineData(true, true)] // after 0.8 s half sitting: settling, collapsing further
    public void Seen_lying_again_after_longer_they_may_have_moved_further(bool halfSittingBetween, bool alerts)
    {
        var crouching = new Box(465, 365, 90, 115); // neither upright nor lying
        var further = Lying with { X = Lying.X + 110 }; // 0.6 of the lying box's length
        var changes = Run(Down(), 10, t => [Person(1, t < 3.9 ? Standing : t < 4.5 ? Lying
            : halfSittingBetween && t < 5.3 ? crouching : further, t)]);
        Assert.Equal(alerts, changes.Any(c => !c.Closed));
    }

    [Fact]
    public void A_fallen_person_found_again_whole_under_a_new_track_is_not_a_jump()
    {
        // Lying, tracked as a piece of them; lost; found again whole under a new track, a box centred elsewhere.
        var piece = new Box(420, 420, 100, 60);
        var whole = new Box(420, 400, 300, 80);
        var changes = Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)] : t < 5 ? [Person(1, piece, t)] : t < 5.2 ? [] : [Person(2, whole, t, 5.2)]);
        Assert.Equal([2], Assert.Single(changes, c => !c.Closed).Event.TrackIds);
    }

    [Fact]
    public void Someone_stretching_out_on_the_ground_stays_down()
    {
        // Crumpled, then stretching out to the right over a second: 150 px in all, 30 px a frame.
        Box Settling(double t) => Lying with { Width = 180 + (float)(300 * Math.Clamp(t - 4.2, 0, 1)) };
        Assert.Single(Run(Down(), 10, t => [Person(1, t < 4 ? Standing : Settling(t), t)]), c => !c.Closed);
    }

    /// <summary>A track seen every 0.2 s since the start, its history as the tracker keeps it.</summary>
    private static Track Followed(int id, Func<double, Box> at, double t) =>
        new(id, at(t), Category.Person, "person", 0.9f, TimeSpan.Zero, TimeSpan.FromSeconds(t), default,
            [.. Enumerable.Range(0, (int)Math.Round(t / 0.2) + 1).Select(i => new TimedBox(TimeSpan.FromSeconds(i * 0.2), at(i * 0.2)))]);

    [Theory]
    [InlineData(true, false)] // a camera zooming out: everyone goes down the picture alike
    [InlineData(false, true)] // the others stay where they are: that one person went down
    public void A_top_going_down_counts_as_a_fall_only_beyond_the_other_peoples(bool othersMoveToo, bool alerts)
    {
        // From 2 s every top goes down the picture 60 px a second; person 1, seen to the shoulders from 4 s (the people
        // in front hide the rest: a squat box), went down 120 px by then, two thirds of their standing height.
        float Descent(double t) => (float)(60 * Math.Max(0, t - 2));
        Box Person1(double t) => t < 4 ? Standing with { Y = Standing.Y + Descent(t) } : new Box(480, Standing.Y + Descent(t), 70, 60);
        Box[] group = [new(100, 200, 60, 180), new(250, 220, 60, 180), new(800, 180, 60, 180)];
        Box Other(int i, double t) => othersMoveToo ? group[i] with { Y = group[i].Y + Descent(t) } : group[i];
        var changes = Run(Down(), 8, t => [Followed(1, Person1, t), .. Enumerable.Range(0, 3).Select(i => Followed(2 + i, u => Other(i, u), t))]);
        Assert.Equal(alerts, changes.Any(c => !c.Closed));
        Assert.Equal(0, PersonDown.OthersDrop([Followed(2, u => Other(0, u), 4), Followed(3, u => Other(1, u), 4)], TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Other_people_going_up_the_picture_make_no_one_fallen()
    {
        // The others walk up the picture 50 px a second; person 1 crouches: a squat box whose top went down 30 px,
        // a sixth of their height (a fall needs 54).
        Box[] group = [new(100, 500, 60, 180), new(250, 520, 60, 180), new(800, 480, 60, 180)];
        Box Other(int i, double t) => group[i] with { Y = group[i].Y - (float)(50 * t) };
        var crouching = new Box(470, 330, 80, 80);
        var changes = Run(Down(), 8, t => [Followed(1, u => u < 4 ? Standing : crouching, t), .. Enumerable.Range(0, 3).Select(i => Followed(2 + i, u => Other(i, u), t))]);
        Assert.Empty(changes);
        Assert.Equal(-100, PersonDown.OthersDrop(Enumerable.Range(0, 3).Select(i => Followed(2 + i, u => Other(i, u), 4)), TimeSpan.FromSeconds(2)), 0.01);
    }

    [Theory]
    [InlineData(false, true)] // one person beside it, a third of it hidden: someone lying in the open
    [InlineData(true, false)] // two, side by side, hide over half of it: a partly seen person in a crowd
    public void A_squat_box_half_hidden_by_people_side_by_side_is_not_someone_lying(bool twoInFront, bool alerts)
    {
        // Standing, then only head and shoulders showing above the people in front (their boxes start a quarter down it).
        var shoulders = new Box(470, 400, 90, 80);
        List<Track> InFront(double t) => twoInFront
            ? [Person(2, new Box(400, 420, 105, 300), t), Person(3, new Box(525, 420, 105, 300), t)]
            : [Person(2, new Box(400, 420, 105, 300), t)];
        var changes = Run(Down(), 10, t => [Person(1, t < 4 ? Standing : shoulders, t), .. InFront(t)]);
        Assert.Equal(alerts, changes.Any(c => !c.Closed));
    }

    [Fact]
    public void A_fall_that_breaks_the_track_is_still_seen()
    {
        // The tracker loses person 1 mid-fall; person 2 appears lying where they stood.
        var changes = Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)] : t < 4.6 ? [] : [Person(2, Lying, t)]);
        Assert.Equal([2], Assert.Single(changes, c => !c.Closed).Event.TrackIds);
    }

    [Fact]
    public void A_fallen_person_found_again_under_a_new_track_in_a_squat_box_keeps_their_fall()
    {
        // Seen lying once after the fall, lost, then found again 0.4 s later in a squat box (curled up, half
        // sitting: neither lying nor upright) under a new track, then lying again.
        var squat = new Box(430, 380, 150, 170);
        var changes = Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)] : t < 4.1 ? [Person(1, Lying, t)] : t < 4.5 ? []
            : t < 4.9 ? [Person(2, squat, t, firstSeen: 4.6)] : [Person(2, Lying, t, firstSeen: 4.6)]);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal([2], alert.TrackIds);
        Assert.InRange(alert.Start.TotalSeconds, 3.8, 4.0);
        // Found again standing there: they got up.
        Assert.Empty(Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)] : t < 4.1 ? [Person(1, Lying, t)] : t < 4.5 ? []
            : [Person(2, Standing with { Y = 340 }, t, firstSeen: 4.6)]));
    }

    [Fact]
    public void A_fall_seen_twice_for_a_moment_is_still_seen()
    {
        // As person 1 goes down the detector keeps a narrow piece of them on track 1, and the lying
        // whole around it starts track 2; the piece then disappears.
        var piece = new Box(500, 400, 50, 80);
        var changes = Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)]
            : t < 4.6 ? [Person(1, piece, t), Person(2, Lying, t)]
            : [Person(2, Lying, t)]);
        Assert.Equal([2], Assert.Single(changes, c => !c.Closed).Event.TrackIds);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the camera then tilts up, moving the spot where they lay out of the bottom of the picture
    public void A_fallen_person_lost_from_view_while_lying_is_still_down(bool spotMovedOutOfThePicture)
    {
        // Seen lying on four frames after the fall, then hidden (people who came to help, or no longer detected).
        var tiltUp = new ViewShift(1, 0, 0, 550);
        var changes = Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)] : t < 4.7 ? [Person(1, Lying, t)] : [],
            view: t => spotMovedOutOfThePicture && t is > 5.1 and < 5.3 ? tiltUp : null);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal([1], alert.TrackIds);
        Assert.InRange(alert.RaisedAt.TotalSeconds, 5.8, 6.2);
        Assert.Contains("hidden from view", alert.Detail);
    }

    private static IReadOnlyList<LyingSpot> SpotsAfter(PersonDown rule, double seconds, Func<double, IReadOnlyList<Track>> tracks)
    {
        for (var t = 0.0; t <= seconds + 1e-9; t += 0.2)
            rule.Update(new SceneState("cam", TimeSpan.FromSeconds(t), DateTimeOffset.UnixEpoch.AddSeconds(t), W, H, tracks(t), []));
        return rule.LyingSpots;
    }

    [Fact]
    public void Where_someone_goes_down_or_lies_fallen_the_detector_is_asked_to_look_again()
    {
        // Top down by 80 of 180 px, 100 px tall: going down, not lying yet.
        var goingDown = new Box(470, 380, 80, 100);
        var spot = Assert.Single(SpotsAfter(Down(), 4, t => [Person(1, t < 4 ? Standing : goingDown, t)]));
        // Around where they stood and where they will lie; the box they were last seen in, how tall they stood.
        Assert.Equal(Lying.Area, spot.Around.IntersectionArea(Lying));
        Assert.True(spot.Around.Width > 2 * Standing.Height && spot.Around.Width == spot.Around.Height, $"spot {spot.Around}");
        Assert.Equal((goingDown, Standing.Height), (spot.LastSeen, spot.StandingHeight));
        // Fallen, then hidden from view: still looked for.
        Assert.Single(SpotsAfter(Down(), 5.4, t => t < 4 ? [Person(1, Standing, t)] : t < 4.7 ? [Person(1, Lying, t)] : []));
        // Lost from view going down: looked for over the next half second, not for as long as they are remembered.
        Assert.Single(SpotsAfter(Down(), 4.4, t => t < 4 ? [Person(1, Standing, t)] : t < 4.1 ? [Person(1, goingDown, t)] : []));
        Assert.Empty(SpotsAfter(Down(), 4.6, t => t < 4 ? [Person(1, Standing, t)] : t < 4.1 ? [Person(1, goingDown, t)] : []));
        // Lost from view just after the top dropped by 30 of 180 px, the box barely smaller (170 px): looked for, since
        // detectors lose people most often as they go down; seen so, not (a person's box varies that much).
        var startingToFall = new Box(475, 330, 70, 170);
        Assert.Single(SpotsAfter(Down(), 4.2, t => t < 4 ? [Person(1, Standing, t)] : t < 4.1 ? [Person(1, startingToFall, t)] : []));
        Assert.Empty(SpotsAfter(Down(), 4.2, t => [Person(1, t < 4 ? Standing : startingToFall, t)]));

        // Standing; walking towards the camera (the top goes down but the box grows); going down on an excluded bench.
        Assert.Empty(SpotsAfter(Down(), 4, t => [Person(1, Standing, t)]));
        Assert.Empty(SpotsAfter(Down(), 4, t => [Person(1, new Box(480, 300 + 40 * (float)t, 60 + 10 * (float)t, 180 + 30 * (float)t), t)]));
        Assert.Empty(SpotsAfter(Down(excludeCentre: true), 4, t => [Person(1, t < 4 ? Standing : goingDown, t)]));
        // Walking out of the bottom of the picture (cut by it); hidden from the feet up behind someone nearer (the bottom rises).
        var nearTheBottom = Standing with { Y = 800, Height = 150 };
        Assert.Empty(SpotsAfter(Down(), 4, t => [Person(1, t < 4 ? nearTheBottom : nearTheBottom with { Y = 880, Height = 120 }, t)]));
        Assert.Empty(SpotsAfter(Down(), 4, t => [Person(1, t < 4 ? Standing : Standing with { Y = 340, Height = 80 }, t)]));
    }

    [Fact]
    public void Lying_for_a_moment_before_vanishing_or_getting_up_unseen_is_not_down()
    {
        // Two sightings lying are too few to vouch for someone no longer seen.
        Assert.Empty(Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)] : t < 4.3 ? [Person(1, Lying, t)] : []));
        // At 25 frames a second, three sightings lying are a glimpse (0.08 s); seen lying for 0.6 s, they are down.
        Assert.Empty(Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)] : t < 4.1 ? [Person(1, Lying, t)] : [], step: 0.04));
        Assert.Single(Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)] : t < 4.6 ? [Person(1, Lying, t)] : [], step: 0.04), c => !c.Closed);
        // Hidden, then someone seen for the first time standing where they lay: they got up.
        Assert.Empty(Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t)] : t < 4.7 ? [Person(1, Lying, t)] : t < 5.3 ? []
            : [Person(2, Standing, t, firstSeen: 5.4)]));
        // Someone walking out of the bottom of the picture: the box shrinks to a squat one at the edge, then is gone.
        var leaving = new Box(Standing.X, H - 40, 60, 40);
        var walkingDown = new Box(Standing.X, H - 240, 60, 180);
        Assert.Empty(Run(Down(), 10, t => t < 4 ? [Person(1, walkingDown, t)] : t < 4.7 ? [Person(1, leaving, t)] : []));
    }

    [Fact]
    public void A_bystander_already_there_standing_by_a_hidden_fallen_person_does_not_get_them_up()
    {
        var bystander = new Box(540, 300, 60, 180); // feet beside the lying person's, seen from the start
        var changes = Run(Down(), 10, t => t < 4 ? [Person(1, Standing, t), Person(2, bystander, t)]
            : t < 4.7 ? [Person(1, Lying, t), Person(2, bystander, t)] : [Person(2, bystander, t)]);
        Assert.Equal([1], Assert.Single(changes, c => !c.Closed).Event.TrackIds);
    }

    [Fact]
    public void Someone_lying_from_the_start_did_not_fall_here()
    {
        Assert.Empty(Run(Down(), 10, t => [Person(1, Lying, t)]));
        Assert.Empty(Run(Down(), 10, t => t < 3 ? [Person(1, Standing, t)] : [Person(1, Standing, t), Person(2, new Box(100, 700, 180, 60), t)]));
    }

    [Fact]
    public void Nobody_is_reported_lying_on_an_excluded_bench()
    {
        Assert.Empty(Run(Down(excludeCentre: true), 10, t => [Person(1, t < 4 ? Standing : Lying, t)]));
    }

    [Fact]
    public void A_person_cut_by_the_image_edge_gives_no_standing_height()
    {
        var clipped = new Box(480, 820, 60, 180); // bottom at the image edge
        var low = new Box(420, 940, 180, 60);
        Assert.Empty(Run(Down(), 10, t => [Person(1, t < 4 ? clipped : low, t)]));
    }

    [Fact]
    public void A_fall_is_measured_from_the_standing_posture_not_from_the_last_tall_box()
    {
        // Falling towards the camera: boxes stay taller than wide while the top drops (still "upright"),
        // and the last of them is already half-way down; lying boxes then drop less than 30 % below it.
        Box At(double t) => t switch
        {
            < 4 => Standing,                          // top 300, height 180
            < 4.3 => new Box(470, 350, 70, 140),      // falling, still upright: top 350
            < 4.5 => new Box(462, 400, 76, 100),      // upright (1.32): top 400
            _ => new Box(420, 420, 180, 60),          // lying: 20 below the last upright box (< 0.3 × 100)
        };
        var alert = Assert.Single(Run(Down(), 10, t => [Person(1, At(t), t)]), c => !c.Closed).Event;
        // The top passed 300 + 0.3 × 180 = 354 between 4.2 (350) and 4.4 (400).
        Assert.InRange(alert.Start.TotalSeconds, 4.2, 4.3);
        Assert.InRange(alert.RaisedAt.TotalSeconds, 6.2, 6.6);
    }

    [Fact]
    public void A_person_cut_by_the_side_of_the_image_still_gives_a_standing_height()
    {
        var atTheSide = new Box(0, 300, 60, 180);
        var lyingAtTheSide = new Box(0, 420, 180, 60);
        Assert.Single(Run(Down(), 10, t => [Person(1, t < 4 ? atTheSide : lyingAtTheSide, t)]), c => !c.Closed);
    }

    [Fact]
    public void A_box_cut_by_the_bottom_of_the_picture_is_lying_only_in_front_of_where_the_person_stood()
    {
        PersonDown.Sighting Seen(double t, Box b) => PersonDown.Sighting.Of(TimeSpan.FromSeconds(t), b, H);
        // Fallen towards the camera: the cut box lies below where the feet stood (480) and runs out of the picture.
        Assert.NotNull(PersonDown.FallMoment([Seen(0.8, Standing), Seen(1.0, Standing)], new Box(400, 700, 320, 300), TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(2), H));
        // A standing posture seen on one frame only says too little for a cut box (in a crowd at the picture's
        // corner the track moved for a frame to someone half out of the picture, then to someone nearer).
        Assert.Null(PersonDown.FallMoment([Seen(1.0, Standing)], new Box(400, 700, 320, 300), TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(2), H));
        // Someone walking up to the camera: the squat cut box spans the spot where they stood (feet at 900):
        // their upper body, the rest below the picture.
        var walkingUp = new Box(480, 600, 60, 300);
        Assert.Null(PersonDown.FallMoment([Seen(0.8, walkingUp), Seen(1.0, walkingUp)], new Box(430, 820, 170, 180), TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(2), H));
        // The same box clear of the bottom edge is someone lying there.
        Assert.NotNull(PersonDown.FallMoment([Seen(1.0, walkingUp)], new Box(430, 780, 170, 180), TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(2), H));
    }

    [Fact]
    public void A_lying_box_cut_by_the_bottom_a_moment_ago_is_still_cut_when_its_edge_stops_short_of_the_picture()
    {
        PersonDown.Sighting Seen(double t, Box b) => PersonDown.Sighting.Of(TimeSpan.FromSeconds(t), b, H);
        // Someone walks down out of the bottom of a crowded street: whole (feet at 880), then the head and
        // shoulders cut by the edge, across where they stood, then the same squat box a few pixels clear of the edge.
        var whole = new Box(300, 440, 100, 440);
        var cut = new Box(260, 660, 320, 335);
        var shortOfTheEdge = new Box(250, 660, 300, 300);
        PersonDown.Sighting[] walkingOut = [Seen(0.8, whole), Seen(1.0, whole), Seen(1.2, cut), Seen(1.4, cut), Seen(1.6, cut), Seen(1.8, shortOfTheEdge)];
        Assert.Null(PersonDown.FallMoment(walkingOut, shortOfTheEdge, TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(2), H));
        // Seen clear of the edge from the start, that box would be someone lying in front of where they stood.
        Assert.NotNull(PersonDown.FallMoment([Seen(0.8, whole), Seen(1.0, whole), Seen(1.8, shortOfTheEdge)], shortOfTheEdge,
            TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(2), H));
    }

    [Fact]
    public void Someone_walking_down_the_picture_of_a_high_camera_and_out_of_its_bottom_did_not_fall()
    {
        PersonDown.Sighting Seen(double t, Box b) => PersonDown.Sighting.Of(TimeSpan.FromSeconds(t), b, H);
        // Seen from high up, a walker coming nearer moves down the picture (top 400 → 640 in 1.6 s), is lost
        // for a second, and is found again leaving through the bottom: a squat box cut by the edge, as wide
        // as they walked. Their top dropped far more than 30 % of their height, in front of where they stood.
        var recent = new[] { Seen(1.0, new Box(480, 400, 60, 180)), Seen(1.8, new Box(478, 520, 62, 180)), Seen(2.6, new Box(476, 640, 64, 180)) };
        Assert.Null(PersonDown.FallMoment(recent, new Box(472, 920, 70, 80), TimeSpan.FromSeconds(3.6), TimeSpan.FromSeconds(2), H));
        // Someone falling towards the camera there spreads out: the cut box is much wider than they stood.
        Assert.NotNull(PersonDown.FallMoment(recent, new Box(430, 900, 160, 100), TimeSpan.FromSeconds(3.6), TimeSpan.FromSeconds(2), H));
    }

    [Fact]
    public void The_fall_moment_is_interpolated_where_the_top_passes_the_drop_mark()
    {
        PersonDown.Sighting Seen(double t, Box b) => PersonDown.Sighting.Of(TimeSpan.FromSeconds(t), b, H);
        var recent = new[] { Seen(1.0, Standing), Seen(1.2, Standing) };
        // Mark 354; from 300 at 1.2 s to 420 at 2.0 s (the detector lost the person in between).
        var moment = PersonDown.FallMoment(recent, Lying, TimeSpan.FromSeconds(2.0), TimeSpan.FromSeconds(2), H);
        Assert.Equal(1.2 + 0.8 * 54 / 120, moment!.Value.At.TotalSeconds, 3);
        Assert.Null(PersonDown.FallMoment(recent, Lying, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(2), H)); // too slow
        Assert.Null(PersonDown.FallMoment(recent, new Box(420, 330, 180, 60), TimeSpan.FromSeconds(2.0), TimeSpan.FromSeconds(2), H)); // top hardly dropped
    }

    [Fact]
    public void A_person_lost_from_view_as_they_fell_and_found_lying_later_fell_when_last_seen_falling()
    {
        PersonDown.Sighting Seen(double t, Box b) => PersonDown.Sighting.Of(TimeSpan.FromSeconds(t), b, H);
        // Standing (top 300, height 180) until 1.2 s, seen at 1.6 s half-way down (top 390, past the mark
        // 354), then lost by the detector until found lying at 3.9 s: 2.7 s after standing, but the fall
        // was under way within 0.4 s.
        var recent = new[] { Seen(1.0, Standing), Seen(1.2, Standing), Seen(1.6, new Box(440, 390, 110, 150)) };
        var moment = PersonDown.FallMoment(recent, Lying, TimeSpan.FromSeconds(3.9), TimeSpan.FromSeconds(2), H);
        Assert.Equal(1.2 + 0.4 * 54 / 90, moment!.Value.At.TotalSeconds, 3);
        // Last seen still standing: lying 2.7 s later is too slow to call a fall.
        var stillStanding = new[] { Seen(1.0, Standing), Seen(1.2, Standing), Seen(1.6, Standing) };
        Assert.Null(PersonDown.FallMoment(stillStanding, Lying, TimeSpan.FromSeconds(3.9), TimeSpan.FromSeconds(2), H));
    }

    [Fact]
    public void A_person_who_bent_down_and_straightened_up_falls_when_the_top_last_passes_the_mark()
    {
        PersonDown.Sighting Seen(double t, Box b) => PersonDown.Sighting.Of(TimeSpan.FromSeconds(t), b, H);
        // Bends (top 380, below the mark 354) at 1.2 s, stands again at 1.6 s, falls after 1.8 s.
        var recent = new[] { Seen(1.0, Standing), Seen(1.2, new Box(450, 380, 100, 100)), Seen(1.6, Standing), Seen(1.8, Standing) };
        var moment = PersonDown.FallMoment(recent, Lying, TimeSpan.FromSeconds(2.2), TimeSpan.FromSeconds(2), H);
        Assert.Equal(1.8 + 0.4 * 54 / 120, moment!.Value.At.TotalSeconds, 3);
    }

    private static Weapon Weapons() =>
        new([new WeaponZone(new WatchedZone("frame", Whole, Schedule.Always), 3, TimeSpan.FromSeconds(2), 0.3, TimeSpan.FromSeconds(3))]);

    private static Detection Knife(Box b) => new(b, Category.Weapon, "knife", 0.6f);

    [Fact]
    public void A_knife_held_over_several_frames_alerts_once()
    {
        var inHand = Knife(new Box(500, 380, 20, 40));
        var changes = Run(Weapons(), 6, t => [Person(1, Standing, t)], t => t >= 1.99 ? [inHand] : []);
        var alert = Assert.Single(changes, c => !c.Closed).Event;
        Assert.Equal(2.0, alert.Start.TotalSeconds, 1);
        Assert.Equal(2.4, alert.RaisedAt.TotalSeconds, 1);
        Assert.Contains("knife", alert.Detail);
    }

    [Fact]
    public void A_single_frame_detection_or_a_knife_away_from_people_does_not_alert()
    {
        var inHand = Knife(new Box(500, 380, 20, 40));
        Assert.Empty(Run(Weapons(), 6, t => [Person(1, Standing, t)], t => Math.Abs(t - 3) < 0.01 ? [inHand] : []));
        var onTable = Knife(new Box(100, 100, 20, 40));
        Assert.Empty(Run(Weapons(), 6, t => [Person(1, Standing, t)], _ => [onTable]));
    }

    [Fact]
    public void Overlap_is_the_share_of_the_weapon_on_the_person() =>
        Assert.Equal(0.5, Weapon.Overlap(new Box(0, 0, 10, 10), new Box(5, -5, 20, 20)), 5);
}
