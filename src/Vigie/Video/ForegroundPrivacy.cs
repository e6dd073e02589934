using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Video;

/// <summary>
/// The safety net of every output that shows video: whatever differs from the scene's empty background
/// is treated as a possible person and pixelated, so people the detector missed are hidden too. Only
/// regions inside a known vehicle or object (or the thing an alert is about) are left visible, since
/// those are what an operator or investigator looks for.
/// </summary>
public static class ForegroundPrivacy
{
    /// <summary>Grey levels by which a pixel differs from the empty scene to count as something there.</summary>
    internal const int Difference = 30;
    private const double MinAreaFraction = 0.0005;
    /// <summary>Closing kernel, in pixels of a frame compared at full size.</summary>
    private const int Closing = 9;

    /// <summary>
    /// Pixelates in place whatever differs from the background, except the kept boxes. A difference often
    /// rings a kept box (a car's shadow, its outline against the road) and the ring's bounding box covers
    /// the car: the kept boxes are put back after pixelating.
    /// </summary>
    /// <param name="background">The empty scene at any size. The two are compared at the smaller one's size: a
    /// background learnt small, scaled up, would differ from the sharp frame along every edge. Null while none
    /// is known yet (a camera's first seconds): nothing then tells a person the detector missed from the scene,
    /// and all of the frame but the kept boxes is pixelated.</param>
    /// <param name="keepVisible">Boxes (pixels) of vehicles and objects not to pixelate.</param>
    /// <param name="wholeFrame">When <paramref name="frame"/> is a part of a frame (a thumbnail): the size of the whole,
    /// which sets the least area of a difference worth hiding, as it does on whole frames.</param>
    /// <returns>Whether anything was pixelated.</returns>
    public static bool Hide(Mat frame, Mat? background, IReadOnlyList<Box> keepVisible, Size? wholeFrame = null)
    {
        var regions = background is null
            ? [new Box(0, 0, frame.Width, frame.Height)]
            : Regions(frame, background, keepVisible, wholeFrame ?? frame.Size());
        if (regions.Count == 0) return false;
        PixelateKeeping(frame, regions, keepVisible);
        return true;
    }

    private static void PixelateKeeping(Mat frame, IReadOnlyList<Box> regions, IReadOnlyList<Box> keepVisible)
    {
        var bounds = new Rect(0, 0, frame.Width, frame.Height);
        var kept = keepVisible.Select(k => new Rect((int)k.X, (int)k.Y, (int)Math.Ceiling(k.Width), (int)Math.Ceiling(k.Height)).Intersect(bounds))
            .Where(r => r.Width > 0 && r.Height > 0).Select(r => (Where: r, Pixels: new Mat(frame, r).Clone())).ToList();
        foreach (var region in regions) PrivacyFilter.Pixelate(frame, region);
        foreach (var (where, pixels) in kept)
            using (pixels)
            using (var place = new Mat(frame, where))
                pixels.CopyTo(place);
    }

    private static List<Box> Regions(Mat frame, Mat background, IReadOnlyList<Box> keepVisible, Size wholeFrame)
    {
        var work = background.Width < frame.Width ? background.Size() : frame.Size();
        double sx = (double)frame.Width / work.Width, sy = (double)frame.Height / work.Height;
        using var small = Sized(frame, work);
        using var empty = Sized(background, work);
        using var difference = new Mat();
        var gain = wholeFrame == frame.Size() ? LightGain(small, empty) : 1;
        using var lit = new Mat();
        if (gain != 1) small.ConvertTo(lit, -1, gain);
        Cv2.Absdiff(gain != 1 ? lit : small, empty, difference);
        using var grey = new Mat();
        Cv2.CvtColor(difference, grey, ColorConversionCodes.BGR2GRAY);
        Cv2.Threshold(grey, grey, Difference, 255, ThresholdTypes.Binary);
        var closing = Math.Max(3, (int)Math.Round(Closing / sx) | 1);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(closing, closing));
        Cv2.MorphologyEx(grey, grey, MorphTypes.Close, kernel, iterations: 2);
        foreach (var keep in keepVisible)
        {
            var r = new Rect((int)(keep.X / sx), (int)(keep.Y / sy), (int)(keep.Width / sx), (int)(keep.Height / sy))
                .Intersect(new Rect(0, 0, grey.Width, grey.Height));
            if (r.Width > 0 && r.Height > 0) grey[r].SetTo(Scalar.Black);
        }
        Cv2.FindContours(grey, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var minArea = MinAreaFraction * wholeFrame.Width * wholeFrame.Height / (sx * sy);
        return contours.Select(Cv2.BoundingRect).Where(r => r.Width * r.Height >= minArea)
            .Select(r => new Box((float)(r.X * sx) - 4, (float)(r.Y * sy) - 4, (float)(r.Width * sx) + 8, (float)(r.Height * sy) + 8)).ToList();
    }

    // Ratios of a frame's brightness to the background's are read in bins of this width (natural log, about
    // 4 %) between these bounds; the light changed when the commonest bin holds this share of the lit pixels.
    private const double RatioBin = 0.04, LeastLogRatio = -0.7, MostLogRatio = 0.7, SharedByTheScene = 0.25;
    // Darker pixels than this give no reliable ratio.
    private const int LeastLit = 24;

    /// <summary>
    /// The gain that brings the frame to the background's light. A cloud, a camera's exposure or a dimmer scales
    /// every pixel of the scene alike, and without this every bright surface would differ from the learnt scene,
    /// and be pixelated, until the scene is learnt again. The gain is the commonest ratio of the two pixel by pixel:
    /// the scene's pixels share one, while people crossing it (a crowd, even, covering most of it) each give
    /// their own; none is applied when no ratio is shared by a good part of the picture (the picture itself
    /// changed: a pan, a cut). Whole frames only: on a thumbnail, someone the detector missed may fill most of it.
    /// </summary>
    private static double LightGain(Mat frame, Mat background)
    {
        using var frameGrey = Grey(frame);
        using var backgroundGrey = Grey(background);
        using var lit = new Mat();
        using var litToo = new Mat();
        Cv2.Threshold(frameGrey, lit, LeastLit, 255, ThresholdTypes.Binary);
        Cv2.Threshold(backgroundGrey, litToo, LeastLit, 255, ThresholdTypes.Binary);
        Cv2.BitwiseAnd(lit, litToo, lit);
        using var ratio = new Mat();
        Cv2.Divide(frameGrey, backgroundGrey, ratio, 1, MatType.CV_32F);
        Cv2.Log(ratio, ratio);
        var bins = (int)Math.Round((MostLogRatio - LeastLogRatio) / RatioBin);
        using var histogram = new Mat();
        Cv2.CalcHist([ratio], [0], lit, histogram, 1, [bins], [new Rangef((float)LeastLogRatio, (float)MostLogRatio)]);
        histogram.GetArray(out float[] counts);
        var commonest = Array.IndexOf(counts, counts.Max());
        return counts[commonest] >= SharedByTheScene * Math.Max(1, Cv2.CountNonZero(lit))
            ? Math.Exp(-(LeastLogRatio + (commonest + 0.5) * RatioBin)) : 1;
    }

    private static Mat Grey(Mat bgr)
    {
        var grey = new Mat();
        Cv2.CvtColor(bgr, grey, ColorConversionCodes.BGR2GRAY);
        return grey;
    }

    /// <summary>The image at the given size: itself (a new header on it) when it already is.</summary>
    private static Mat Sized(Mat image, Size size)
    {
        if (image.Size() == size) return new Mat(image, new Rect(0, 0, size.Width, size.Height));
        var sized = new Mat();
        Cv2.Resize(image, sized, size, 0, 0, InterpolationFlags.Area);
        return sized;
    }
}
