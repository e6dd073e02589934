using OpenCvSharp;

namespace Vigie.Tests.Perception;

internal static class TestImages
{
    /// <summary>A real frame with a face the face model finds: room_fall01 at frame 30 (portrait, 406×720).</summary>
    public static Mat WithAFace()
    {
        using var capture = new VideoCapture(TestPaths.Clip("fall/room_fall01.mp4"));
        capture.Set(VideoCaptureProperties.PosFrames, 30);
        var frame = new Mat();
        Assert.True(capture.Read(frame));
        return frame;
    }

    /// <summary>
    /// Smooth random grey texture (BGR): enough detail everywhere for optical flow and corners to follow. The same for the
    /// same seed: OpenCV's own random numbers are per thread and carry on from whatever test ran there before.
    /// </summary>
    public static Mat Texture(int width, int height, int seed = 1)
    {
        var bytes = new byte[width * height];
        new Random(seed).NextBytes(bytes);
        using var noise = Mat.FromPixelData(height, width, MatType.CV_8UC1, bytes);
        using var smooth = new Mat();
        Cv2.GaussianBlur(noise, smooth, new Size(0, 0), 3);
        Cv2.Normalize(smooth, smooth, 0, 255, NormTypes.MinMax);
        var bgr = new Mat();
        Cv2.CvtColor(smooth, bgr, ColorConversionCodes.GRAY2BGR);
        return bgr;
    }
}
