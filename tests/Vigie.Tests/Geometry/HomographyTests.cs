using Vigie.Geometry;

namespace Vigie.Tests.Geometry;

public class HomographyTests
{
    [Fact]
    public void Maps_the_four_points_exactly_and_perspective_in_between()
    {
        // A 10 m × 20 m rectangle on the ground, seen as a trapezoid (far side narrower, higher up).
        Point2[] image = [new(0.3f, 0.4f), new(0.7f, 0.4f), new(0.9f, 0.9f), new(0.1f, 0.9f)];
        Point2[] ground = [new(0, 20), new(10, 20), new(10, 0), new(0, 0)];
        var h = Homography.FromPoints(image, ground)!;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(ground[i].X, h.Map(image[i]).X, 3);
            Assert.Equal(ground[i].Y, h.Map(image[i]).Y, 3);
        }
        // Perspective compresses the far half: the image row halfway up is only 6.7 m into the 20 m
        // (depth ∝ 1 / (row − horizon), horizon at row −0.1 where the sides meet).
        Assert.Equal(6.667, h.Map(new Point2(0.5f, 0.65f)).Y, 2);
        Assert.Equal(200, h.MappedArea(image), 1);
    }

    [Fact]
    public void Collinear_points_give_no_homography()
    {
        Point2[] image = [new(0.1f, 0.1f), new(0.5f, 0.5f), new(0.9f, 0.9f), new(0.1f, 0.9f)];
        Point2[] ground = [new(0, 0), new(1, 0), new(1, 1), new(0, 1)];
        Assert.Null(Homography.FromPoints(image, ground));
        Assert.True(Homography.HasCollinearTriple(image));
    }
}
