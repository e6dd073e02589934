using OpenCvSharp;

namespace Vigie.Tests.Video;

/// <summary>A camera that moved, in generated footage: the picture shifted in place, its edges mirrored in.</summary>
internal static class CameraMove
{
    /// <summary>Shifts the picture by (dx, dy) pixels (the camera turned the other way).</summary>
    public static void Shift(Mat frame, double dx, double dy)
    {
        using var move = new Mat(2, 3, MatType.CV_64FC1, Scalar.All(0));
        move.Set(0, 0, 1.0); move.Set(0, 2, dx);
        move.Set(1, 1, 1.0); move.Set(1, 2, dy);
        Cv2.WarpAffine(frame, frame, move, frame.Size(), InterpolationFlags.Linear, BorderTypes.Reflect);
    }
}
