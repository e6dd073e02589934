using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;
using Vigie.Video;

namespace Vigie.Tests.Video;

public class PrivacyFilterTests
{
    private static Track Tracked(int id, Category category, Box box) =>
        new(id, box, category, category.ToString().ToLowerInvariant(), 0.8f, TimeSpan.Zero, TimeSpan.Zero, new Point2(0, 0), []);

    [Fact]
    public void People_tracked_detected_or_missed_for_a_moment_are_hidden_and_vehicles_are_not()
    {
        var walking = new Box(100, 100, 40, 120);
        var justAppeared = new Box(300, 100, 40, 120);
        var missedLying = new Box(500, 300, 120, 40);
        var car = new Box(700, 300, 200, 100);
        var tracks = new TrackerUpdate(TimeSpan.FromSeconds(3), [Tracked(1, Category.Person, walking), Tracked(2, Category.Vehicle, car)], [],
            [Tracked(3, Category.Person, missedLying), Tracked(4, Category.Vehicle, car)]);
        var detections = new[] { new Detection(justAppeared, Category.Person, "person", 0.7f), new Detection(car, Category.Vehicle, "car", 0.9f) };

        var hidden = PrivacyFilter.PeopleOn(tracks, detections).ToList();

        Assert.Equal(3, hidden.Count);
        Assert.Contains(walking, hidden);
        Assert.Contains(justAppeared, hidden);
        // The one missed on this frame: a quarter of the box more on each side, since they may have moved.
        Assert.Contains(new Box(470, 290, 180, 60), hidden);
        Assert.DoesNotContain(hidden, b => b.IntersectionArea(car) > 0);
    }
}
