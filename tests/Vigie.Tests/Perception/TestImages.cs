using OpenCvSharp;

namespace Vigie.Tests.Perception;

internal static class TestImages
{
    /// <summary>Smooth random grey texture (BGR): enough detail everywhere for optical flow and corners to follow.</summary>
    public static Mat Texture(int width, int height)
    {
        using var noise = new Mat(height, width, MatType.CV_8UC1);
        Cv2.Randu(noise, Scalar.All(0), Scalar.All(255));
        using var smooth = new Mat();
        Cv2.GaussianBlur(noise, smooth, new Size(0, 0), 3);
        Cv2.Normalize(smooth, smooth, 0, 255, NormTypes.MinMax);
        var bgr = new Mat();
        Cv2.CvtColor(smooth, bgr, ColorConversionCodes.GRAY2BGR);
        return bgr;
    }
}
