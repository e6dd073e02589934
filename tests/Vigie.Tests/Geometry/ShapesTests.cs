using Vigie.Geometry;

namespace Vigie.Tests.Geometry;

public class ShapesTests
{
    private static readonly Point2[] Square = [new(0, 0), new(1, 0), new(1, 1), new(0, 1)];

    [Theory]
    [InlineData(0.5, 0.5, true)]
    [InlineData(1.5, 0.5, false)]
    [InlineData(-0.1, 0.5, false)]
    [InlineData(0.99, 0.01, true)]
    [InlineData(0.5, 1, true)] // feet of a box cut by the bottom of the image
    [InlineData(1, 0.5, true)]
    [InlineData(1, 1, true)]
    [InlineData(0, 0, true)]
    [InlineData(0.5, 1.001, false)]
    public void Point_in_square(float x, float y, bool inside) =>
        Assert.Equal(inside, Shapes.Contains(Square, new Point2(x, y)));

    [Fact]
    public void The_overlap_of_two_boxes_is_read_on_the_smaller()
    {
        var whole = new Box(0, 0, 300, 80);
        Assert.Equal(1, whole.OverlapOfSmaller(new Box(200, 10, 100, 60))); // inside, either way round
        Assert.Equal(1, new Box(200, 10, 100, 60).OverlapOfSmaller(whole));
        Assert.Equal(0.5, whole.OverlapOfSmaller(new Box(250, 0, 100, 80)), 3);
        Assert.Equal(0, whole.OverlapOfSmaller(new Box(300, 0, 50, 50))); // touching
        Assert.Equal(0, whole.OverlapOfSmaller(new Box(10, 10, 0, 20))); // no area
    }

    [Fact]
    public void Boxes_covering_a_box_together_count_where_they_overlap_once()
    {
        var target = new Box(0, 0, 100, 100);
        Assert.Equal(0, target.CoveredArea([]));
        Assert.Equal(0, target.CoveredArea([new Box(100, 0, 50, 50), new Box(0, 200, 10, 10)])); // touching or away
        Assert.Equal(1750, target.CoveredArea([new Box(-20, 50, 55, 200)])); // cut to the box: 35 x 50
        // Two people side by side, each over a third of it, together over half.
        Assert.Equal(7000, target.CoveredArea([new Box(-10, 0, 45, 100), new Box(65, 0, 50, 100)]));
        // Overlapping one another, and one inside another: the shared part once.
        Assert.Equal(6000, target.CoveredArea([new Box(0, 0, 60, 100), new Box(20, 20, 20, 20), new Box(30, 0, 30, 100)]));
        Assert.Equal(7500, target.CoveredArea([new Box(0, 0, 100, 50), new Box(0, 25, 50, 75)]));
        Assert.Equal(10000, target.CoveredArea([new Box(-5, -5, 200, 200), new Box(10, 10, 5, 5)]));
    }

    [Fact]
    public void Point_in_concave_polygon_notch_is_outside()
    {
        Point2[] u = [new(0, 0), new(3, 0), new(3, 3), new(2, 3), new(2, 1), new(1, 1), new(1, 3), new(0, 3)];
        Assert.False(Shapes.Contains(u, new Point2(1.5f, 2)));
        Assert.True(Shapes.Contains(u, new Point2(0.5f, 2)));
        Assert.True(Shapes.Contains(u, new Point2(1.5f, 1)), "the notch's floor is the polygon's edge");
    }

    [Fact]
    public void Left_is_the_observers_left_in_image_coordinates()
    {
        // Looking right along y = 0.5 (y grows downwards), the upper half of the image is on the left.
        Assert.Equal(-1, Shapes.SideOf(new(0, 0.5f), new(1, 0.5f), new(0.5f, 0.2f)));
        Assert.Equal(1, Shapes.SideOf(new(0, 0.5f), new(1, 0.5f), new(0.5f, 0.8f)));
        Assert.Equal(0, Shapes.SideOf(new(0, 0.5f), new(1, 0.5f), new(0.3f, 0.5f)));
    }

    [Fact]
    public void Segments_intersect_only_within_their_extent()
    {
        Assert.True(Shapes.SegmentsIntersect(new(0, 0), new(2, 2), new(0, 2), new(2, 0)));
        Assert.False(Shapes.SegmentsIntersect(new(0, 0), new(1, 1), new(3, 0), new(3, 5)));
        Assert.True(Shapes.SegmentsIntersect(new(0, 0), new(2, 0), new(1, 0), new(1, 1))); // touching
    }

    [Fact]
    public void IoU_of_half_overlapping_boxes_is_one_third()
    {
        var a = new Box(0, 0, 2, 2);
        var b = new Box(1, 0, 2, 2);
        Assert.Equal(1f / 3, a.IoU(b), 5);
        Assert.Equal(0, a.IoU(new Box(5, 5, 1, 1)));
        Assert.Equal(1, a.IoU(a), 5);
    }

    [Fact]
    public void Shoelace_area_of_unit_square_is_two_in_magnitude() =>
        Assert.Equal(2, Math.Abs(Shapes.SignedArea2(Square)), 5);
}
