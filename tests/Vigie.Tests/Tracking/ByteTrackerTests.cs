using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Tests.Tracking;

public class ByteTrackerTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(0.2);

    private static Detection Person(float x, float y, float score = 0.9f) => new(new Box(x, y, 30, 80), Category.Person, "person", score);

    [Fact]
    public void A_new_object_is_confirmed_on_its_second_detection()
    {
        var tracker = new ByteTracker();
        tracker.Update([], TimeSpan.Zero);
        var first = tracker.Update([Person(100, 100)], Step);
        Assert.Empty(first.Visible);
        var second = tracker.Update([Person(105, 100)], 2 * Step);
        var track = Assert.Single(second.Visible);
        Assert.Equal(Step, track.FirstSeen);
    }

    /// <summary>Someone standing (60×180 px, feet at y = 300) who falls, as a small detector sees it (room_fall07).</summary>
    private static ByteTracker Standing(out int id)
    {
        var tracker = new ByteTracker();
        tracker.Update([], TimeSpan.Zero);
        TrackerUpdate update = null!;
        for (int i = 1; i <= 5; i++) update = tracker.Update([new Detection(new Box(200, 120, 60, 180), Category.Person, "person", 0.85f)], i * Step);
        // Falling fast: the filter learns the top coming down.
        update = tracker.Update([new Detection(new Box(195, 170, 80, 130), Category.Person, "person", 0.7f)], 6 * Step);
        id = Assert.Single(update.Visible).Id;
        return tracker;
    }

    [Fact]
    public void A_person_who_falls_keeps_their_track_though_the_detector_scores_them_low_lying()
    {
        var tracker = Standing(out var id);
        // Lying across where they stood, scored under the high threshold, not overlapping the filter's guess enough.
        var lying = tracker.Update([new Detection(new Box(160, 240, 130, 60), Category.Person, "person", 0.35f)], 7 * Step);
        Assert.Equal(id, Assert.Single(lying.Visible).Id);
        // Weaker still, at the same place.
        var still = tracker.Update([new Detection(new Box(162, 241, 128, 58), Category.Person, "person", 0.15f)], 8 * Step);
        Assert.Equal(id, Assert.Single(still.Visible).Id);
    }

    [Fact]
    public void A_weak_detection_away_from_the_lost_track_or_long_after_it_takes_nothing_over()
    {
        var elsewhere = Standing(out _);
        Assert.Empty(elsewhere.Update([new Detection(new Box(400, 240, 130, 60), Category.Person, "person", 0.35f)], 7 * Step).Visible);

        var later = Standing(out _);
        for (int i = 7; i <= 12; i++) later.Update([], i * Step);
        Assert.Empty(later.Update([new Detection(new Box(160, 240, 130, 60), Category.Person, "person", 0.35f)], 13 * Step).Visible);

        // Under the detector's own threshold, a box of another shape is no one's.
        var weak = Standing(out _);
        Assert.Empty(weak.Update([new Detection(new Box(160, 240, 130, 60), Category.Person, "person", 0.2f)], 7 * Step).Visible);
    }

    [Fact]
    public void A_car_the_model_calls_a_bus_then_a_suitcase_then_a_phone_is_one_vehicle()
    {
        var tracker = new ByteTracker();
        tracker.Update([], TimeSpan.Zero);
        (string Label, Category Category, float Score)[] seen =
        [
            ("bus", Category.Vehicle, 0.7f), ("bus", Category.Vehicle, 0.7f), ("suitcase", Category.Bag, 0.65f), ("bus", Category.Vehicle, 0.7f),
            ("cell phone", Category.Other, 0.62f), ("bus", Category.Vehicle, 0.7f),
        ];
        var ids = new HashSet<int>();
        Track? last = null;
        for (int i = 0; i < seen.Length; i++)
            foreach (var t in tracker.Update([new Detection(new Box(100, 20 + 15 * i, 60, 110), seen[i].Category, seen[i].Label, seen[i].Score)], (i + 1) * Step).Visible)
            {
                ids.Add(t.Id);
                last = t;
            }
        Assert.Single(ids);
        Assert.Equal(Category.Vehicle, last!.Category);
        Assert.Equal("bus", last.Label);
    }

    [Fact]
    public void A_person_is_never_followed_as_the_bag_they_stand_over()
    {
        var tracker = new ByteTracker();
        tracker.Update([], TimeSpan.Zero);
        var ids = new Dictionary<int, Category>();
        for (int i = 1; i <= 6; i++)
        {
            // The bag at the same place on every frame; the person over it missed on the third.
            List<Detection> frame = [new Detection(new Box(100, 140, 40, 40), Category.Bag, "suitcase", 0.8f)];
            if (i != 3) frame.Add(new Detection(new Box(95, 60, 50, 125), Category.Person, "person", 0.9f));
            foreach (var t in tracker.Update(frame, i * Step).Visible) ids[t.Id] = t.Category;
        }
        Assert.Equal(2, ids.Count);
        Assert.Contains(Category.Person, ids.Values);
        Assert.Contains(Category.Bag, ids.Values);
    }

    [Fact]
    public void A_runner_moving_more_than_their_width_between_frames_keeps_one_track()
    {
        // 30 px wide, 80 tall, 45 px per frame (a run at 5 frames/s): consecutive boxes never overlap.
        var tracker = new ByteTracker();
        tracker.Update([], TimeSpan.Zero);
        var ids = new HashSet<int>();
        for (int i = 1; i <= 10; i++)
            foreach (var t in tracker.Update([Person(20 + 45 * i, 100)], i * Step).Visible) ids.Add(t.Id);
        Assert.Single(ids);
    }

    [Fact]
    public void A_detection_too_far_or_of_another_size_is_not_taken_for_a_fast_mover()
    {
        var tracker = new ByteTracker();
        tracker.Update([Person(100, 100)], TimeSpan.Zero);
        var id = Assert.Single(tracker.Update([Person(102, 100)], Step).Visible).Id;
        // Next frame: the person is gone; someone appears 1.5 heights away, and a child-sized box close by.
        tracker.Update([Person(100 + 120, 100), new(new Box(140, 150, 15, 40), Category.Person, "person", 0.9f)], 2 * Step);
        var later = tracker.Update([Person(100 + 122, 100), new(new Box(142, 150, 15, 40), Category.Person, "person", 0.9f)], 3 * Step);
        Assert.Equal(2, later.Visible.Count);
        Assert.DoesNotContain(later.Visible, t => t.Id == id);
    }

    [Fact]
    public void Two_people_walking_past_each_other_keep_their_ids()
    {
        var tracker = new ByteTracker();
        var ids = new List<(int A, int B)>();
        for (int i = 0; i < 30; i++)
        {
            // Their boxes overlap by half their height as they pass: motion, not overlap alone, tells them apart.
            var update = tracker.Update([Person(100 + i * 10, 100), Person(400 - i * 10, 140)], i * Step);
            if (update.Visible.Count == 2)
            {
                var a = update.Visible.Single(t => t.Box.Y < 120).Id;
                var b = update.Visible.Single(t => t.Box.Y >= 120).Id;
                ids.Add((a, b));
            }
        }
        Assert.True(ids.Count >= 25);
        Assert.Single(ids.Distinct());
    }

    [Fact]
    public void Low_score_detections_carry_a_partly_occluded_track()
    {
        var tracker = new ByteTracker();
        int id = 0;
        for (int i = 0; i < 20; i++)
        {
            // From frame 8 the person is half hidden and the detector is unsure.
            var score = i >= 8 ? 0.25f : 0.9f;
            var update = tracker.Update([Person(100 + i * 8, 100, score)], i * Step);
            if (i == 2) id = Assert.Single(update.Visible).Id;
            if (i > 2) Assert.Equal(id, Assert.Single(update.Visible).Id);
        }
    }

    [Fact]
    public void A_track_missing_longer_than_the_lost_buffer_ends_and_a_short_gap_does_not()
    {
        var tracker = new ByteTracker(new TrackerOptions { LostBuffer = TimeSpan.FromSeconds(1) });
        tracker.Update([Person(100, 100)], TimeSpan.Zero);
        var id = Assert.Single(tracker.Update([Person(102, 100)], Step).Visible).Id;
        // A 0.8 s gap: same id afterwards.
        Assert.Empty(tracker.Update([], 3 * Step).Ended);
        Assert.Equal(id, Assert.Single(tracker.Update([Person(110, 100)], 6 * Step).Visible).Id);
        // Then gone for good.
        Assert.Empty(tracker.Update([], 10 * Step).Ended);
        var ended = tracker.Update([], 12 * Step).Ended;
        Assert.Equal(id, Assert.Single(ended).Id);
    }

    [Fact]
    public void A_track_missed_on_a_frame_is_listed_as_lost_at_its_last_box_until_it_ends()
    {
        // The privacy filter hides people the detector missed for a moment (someone lying after a fall) from this list.
        var tracker = new ByteTracker(new TrackerOptions { LostBuffer = TimeSpan.FromSeconds(1) });
        tracker.Update([Person(100, 100)], TimeSpan.Zero);
        var seen = tracker.Update([Person(102, 100)], Step);
        Assert.Empty(seen.Lost);
        var missed = tracker.Update([], 3 * Step);
        var lost = Assert.Single(missed.Lost);
        Assert.Equal(Assert.Single(seen.Visible).Id, lost.Id);
        Assert.Equal(Assert.Single(seen.Visible).Box, lost.Box);
        Assert.Empty(missed.Visible);
        var ended = tracker.Update([], 12 * Step);
        Assert.Single(ended.Ended);
        Assert.Empty(ended.Lost);
    }

    [Fact]
    public void Objects_of_different_categories_are_never_associated()
    {
        var tracker = new ByteTracker();
        tracker.Update([Person(100, 100)], TimeSpan.Zero);
        tracker.Update([Person(100, 100)], Step);
        var bag = new Detection(new Box(100, 100, 30, 80), Category.Bag, "suitcase", 0.9f);
        var update = tracker.Update([bag], 2 * Step);
        Assert.Empty(update.Visible); // the bag starts its own tentative track
    }

    [Fact]
    public void History_is_bounded_in_time()
    {
        var tracker = new ByteTracker(new TrackerOptions { HistoryLength = TimeSpan.FromSeconds(2) });
        Track? last = null;
        for (int i = 0; i < 100; i++) last = tracker.Update([Person(100, 100)], i * Step).Visible.SingleOrDefault() ?? last;
        Assert.NotNull(last);
        Assert.InRange(last.History.Count, 10, 12);
    }

    /// <summary>
    /// Someone standing still while the camera whips 200 px sideways between two frames (more than a sprinter
    /// covers): told how the view moved, the tracker keeps them as one still person, their past seen where it now is.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_still_person_stays_one_still_track_when_the_view_whips_past_them(bool told)
    {
        var tracker = new ByteTracker();
        TrackerUpdate update = null!;
        for (int i = 0; i < 6; i++) update = tracker.Update([new Detection(new Box(300, 150, 60, 180), Category.Person, "person", 0.9f)], i * Step);
        var id = Assert.Single(update.Visible).Id;
        var pan = new ViewShift(1, 0, -200, 0);
        update = tracker.Update([new Detection(new Box(100, 150, 60, 180), Category.Person, "person", 0.9f)], 6 * Step, told ? pan : null);
        if (!told)
        {
            Assert.DoesNotContain(update.Visible, t => t.Id == id);
            return;
        }
        var track = Assert.Single(update.Visible);
        Assert.Equal(id, track.Id);
        Assert.All(track.History, h => Assert.Equal(100, h.Box.X, 1));
        Assert.InRange(track.Velocity.Length, 0, 20);
    }
}
