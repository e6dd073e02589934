using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>
/// Tells whether a frame differs from the last one the detector saw. When it does not, the detector
/// would find the same objects again, so its last answer is reused: on a recording's static stretches
/// the detector hardly runs. A reference older than <see cref="MaxReuse"/> is refreshed anyway, so a
/// slow change (dusk, a creeping shadow) cannot hide behind it for long.
/// </summary>
public sealed class MotionGate : IDisposable
{
    public const int ProcessingWidth = 160;
    /// <summary>Grey-level change (0..255) of a pixel of the reduced frame that counts as a change.</summary>
    public const int PixelChange = 15;
    /// <summary>Changed pixels, as a fraction of the reduced frame, that count as motion: about one walker far away.</summary>
    public const double ChangedFraction = 0.0002;
    public static readonly TimeSpan MaxReuse = TimeSpan.FromSeconds(10);

    private readonly Mat _reference = new();
    private readonly Mat _current = new();
    private readonly Mat _difference = new();
    private TimeSpan _referenceTime;
    private bool _hasReference;

    public long Reused { get; private set; }

    /// <summary>True when the detector's last answer still holds for this frame; otherwise the frame becomes the new reference.</summary>
    public bool Unchanged(Mat bgrFrame, TimeSpan time)
    {
        Reduce(bgrFrame, _current);
        if (_hasReference && time - _referenceTime < MaxReuse && _current.Size() == _reference.Size())
        {
            Cv2.Absdiff(_current, _reference, _difference);
            Cv2.Threshold(_difference, _difference, PixelChange, 255, ThresholdTypes.Binary);
            var changed = Cv2.CountNonZero(_difference);
            if (changed <= Math.Max(2, ChangedFraction * _difference.Rows * _difference.Cols))
            {
                Reused++;
                return true;
            }
        }
        _current.CopyTo(_reference);
        _referenceTime = time;
        _hasReference = true;
        return false;
    }

    private static void Reduce(Mat bgr, Mat grey)
    {
        var scale = Math.Min(1.0, (double)ProcessingWidth / bgr.Width);
        using var small = new Mat();
        Cv2.Resize(bgr, small, new Size(), scale, scale, InterpolationFlags.Area);
        Cv2.CvtColor(small, grey, ColorConversionCodes.BGR2GRAY);
        // Compression noise and sensor grain are not motion.
        Cv2.GaussianBlur(grey, grey, new Size(3, 3), 0);
    }

    public void Dispose()
    {
        _reference.Dispose();
        _current.Dispose();
        _difference.Dispose();
    }
}
