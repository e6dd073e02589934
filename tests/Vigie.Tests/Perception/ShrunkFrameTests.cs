using OpenCvSharp;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class ShrunkFrameTests
{
    private static Mat Noise(int width, int height)
    {
        var frame = new Mat(height, width, MatType.CV_8UC3);
        Cv2.Randu(frame, Scalar.All(0), Scalar.All(255));
        return frame;
    }

    private static double Difference(Mat a, Mat b)
    {
        using var diff = new Mat();
        Cv2.Absdiff(a, b, diff);
        return Cv2.Norm(diff, NormTypes.L1);
    }

    private static double LargestDifference(Mat a, Mat b)
    {
        using var diff = new Mat();
        Cv2.Absdiff(a, b, diff);
        Cv2.MinMaxLoc(diff.Reshape(1), out _, out double largest);
        return largest;
    }

    /// <summary>The picture shrunk to <paramref name="size"/> in one area-averaging step.</summary>
    private static Mat InOneStep(Mat picture, Size size)
    {
        var shrunk = new Mat();
        Cv2.Resize(picture, shrunk, size, 0, 0, InterpolationFlags.Area);
        return shrunk;
    }

    [Fact]
    public void Coarse_copies_of_a_large_frame_are_made_from_the_widest_one_and_others_from_the_frame()
    {
        using var frame = Noise(1280, 720);
        using var shrunk = new ShrunkFrame(frame);

        var coarse = shrunk.Coarse(192, 8);
        var fine = shrunk.At(192, 8);
        var widest = shrunk.At(ShrunkFrame.Widest, 8);

        Assert.Equal(new Size(192, 108), coarse.Size());
        Assert.Equal(new Size(320, 180), widest.Size());
        Assert.Same(coarse, shrunk.Coarse(192, 8));
        using var fromWidest = InOneStep(widest, coarse.Size());
        Assert.Equal(0, Difference(coarse, fromWidest));
        // Noise shrunk in two steps is not the noise shrunk in one: the test can tell the two apart.
        using var direct = InOneStep(frame, coarse.Size());
        Assert.Equal(0, Difference(fine, direct));
        Assert.NotEqual(0, Difference(coarse, direct));
    }

    [Fact]
    public void An_even_whole_fraction_is_shrunk_in_halves_to_the_same_pixels_and_other_fractions_at_once()
    {
        using var frame = Noise(1280, 720);
        using var shrunk = new ShrunkFrame(frame);

        var quarter = shrunk.At(320, 8);
        var fifth = shrunk.At(256, 8);

        using var quarterInOneStep = InOneStep(frame, quarter.Size());
        using var fifthInOneStep = InOneStep(frame, fifth.Size());
        // Averages of averages: equal but for rounding (so not made in one step).
        Assert.Equal(1, LargestDifference(quarter, quarterInOneStep));
        Assert.Equal(0, Difference(fifth, fifthInOneStep));
    }

    [Fact]
    public void A_frame_no_wider_than_the_widest_copy_is_resized_directly_with_a_minimum_height()
    {
        using var frame = Noise(240, 40);
        using var shrunk = new ShrunkFrame(frame);

        var copy = shrunk.Coarse(192, 48);

        Assert.Equal(new Size(192, 48), copy.Size());
        using var direct = InOneStep(frame, copy.Size());
        Assert.Equal(0, Difference(copy, direct));
        Assert.Equal(240, shrunk.Width);
    }
}
