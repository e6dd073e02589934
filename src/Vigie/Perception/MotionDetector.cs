using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

public sealed record MotionOptions(
    int ProcessingWidth = 320,
    double MinAreaFraction = 0.0015,
    double MaxForegroundFraction = 0.6,
    double MemoryS = 20,
    double VarThreshold = 25,
    double WarmupS = 2);

/// <summary>
/// Model-free detector: adaptive background subtraction (MOG2) on a downscaled frame, cleaned by
/// morphology, one detection per connected blob. The default when no model is configured. The background
/// forgets over <c>MemoryS</c> seconds, whatever the frame rate: a person standing still fades into it as
/// fast at 25 frames a second as at 5.
/// </summary>
public sealed class MotionDetector : IDetector
{
    private readonly MotionOptions _options;
    private readonly TimedBackground _background;
    private readonly Mat _small = new();
    private readonly Mat _mask = new();
    private readonly Mat _kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(5, 5));

    public MotionDetector(MotionOptions? options = null)
    {
        _options = options ?? new MotionOptions();
        _background = new TimedBackground(_options.MemoryS, TimeSpan.FromSeconds(_options.WarmupS), _options.VarThreshold, detectShadows: true);
    }

    public string Description => $"motion (MOG2, {_options.ProcessingWidth}px)";

    /// <summary>Not for single images: what moves is told from a background learned over time.</summary>
    public IReadOnlyList<Detection> Detect(Mat bgrFrame) =>
        throw new NotSupportedException("the motion detector learns a background over time: give each frame's time");

    public IReadOnlyList<Detection> Detect(Mat bgrFrame, TimeSpan time)
    {
        var scale = Math.Min(1.0, (double)_options.ProcessingWidth / bgrFrame.Width);
        Cv2.Resize(bgrFrame, _small, new Size(), scale, scale, InterpolationFlags.Area);
        if (!_background.Apply(_small, _mask, time)) return [];
        // Shadows are marked 127 by MOG2: keep only confident foreground.
        Cv2.Threshold(_mask, _mask, 200, 255, ThresholdTypes.Binary);
        Cv2.MorphologyEx(_mask, _mask, MorphTypes.Open, _kernel);
        Cv2.MorphologyEx(_mask, _mask, MorphTypes.Close, _kernel, iterations: 2);
        var total = (double)_mask.Width * _mask.Height;
        // A lighting change or camera motion turns most of the frame to foreground: that is not objects.
        if (Cv2.CountNonZero(_mask) > _options.MaxForegroundFraction * total) return [];
        Cv2.FindContours(_mask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var result = new List<Detection>();
        foreach (var contour in contours)
        {
            var area = Cv2.ContourArea(contour);
            if (area < _options.MinAreaFraction * total) continue;
            var r = Cv2.BoundingRect(contour);
            var box = new Box(r.X, r.Y, r.Width, r.Height).Scale((float)(1 / scale), (float)(1 / scale));
            var fill = (float)(area / Math.Max(1, r.Width * r.Height));
            result.Add(new Detection(box, Category.Moving, "moving", Math.Clamp(0.6f + 0.4f * fill, 0, 1)));
        }
        return result;
    }

    public void Dispose()
    {
        _background.Dispose();
        _small.Dispose();
        _mask.Dispose();
        _kernel.Dispose();
    }
}
