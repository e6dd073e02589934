using OpenCvSharp;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class CellMeansTests
{
    [Fact]
    public void Each_cell_gets_the_mean_of_its_pixels_and_the_ragged_edge_is_left_out()
    {
        // 3 × 2 cells of 4 pixels, plus a 2-pixel strip right and below that belongs to no cell.
        using var image = new Mat(10, 14, MatType.CV_8UC1, Scalar.All(200));
        Cv2.Rectangle(image, new Rect(0, 0, 4, 4), Scalar.All(0), -1);
        Cv2.Rectangle(image, new Rect(4, 0, 2, 4), Scalar.All(100), -1); // half of the second cell
        Cv2.Rectangle(image, new Rect(0, 4, 4, 4), Scalar.All(255), -1);
        image.Set(4 + 1, 4 + 2, (byte)0);                                   // one pixel of the fifth cell
        var means = CellMeans.Of(image, 3, 2, 4);
        Assert.Equal([0f, 150f, 200f, 255f, 200f - 200f / 16, 200f], means);
    }

    [Fact]
    public void A_two_channel_image_gives_both_means_of_each_cell_side_by_side()
    {
        // A flow field of 2 × 1 cells of 2 pixels: x = 1 on the left cell, 3 on the right; y = −2 everywhere.
        using var flow = new Mat(2, 4, MatType.CV_32FC2, new Scalar(1, -2));
        Cv2.Rectangle(flow, new Rect(2, 0, 2, 2), new Scalar(3, -2), -1);
        Assert.Equal([1f, -2f, 3f, -2f], CellMeans.Of(flow, 2, 1, 2));
    }
}
