using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>
/// One analysed frame in the small sizes the analysers read (motion field 192, fire cues 256, still
/// objects 320 pixels wide), each made once. The motion field's coarse grid is made from the 320-wide
/// copy rather than from the full frame: shrinking 1280×720 to 192 wide directly took 1.7 ms (the
/// ratio is not a whole number), from the 320-wide copy 0.2 ms (docs/BENCHMARKS.md). Copies belong to
/// this object: read them, never dispose them.
/// </summary>
public sealed class ShrunkFrame(Mat frame) : IDisposable
{
    /// <summary>The widest copy any analyser asks for; coarse copies are made from it.</summary>
    public const int Widest = 320;

    private readonly Dictionary<(Size, bool), Mat> _copies = [];
    private readonly Dictionary<Size, Mat> _greys = [];

    /// <summary>The full frame's width in pixels (boxes are in full-frame pixels).</summary>
    public int Width => frame.Width;

    /// <summary>The frame shrunk to this width, its height in proportion but at least <paramref name="minHeight"/>.</summary>
    public Mat At(int width, int minHeight) => Copy(width, minHeight, coarse: false);

    /// <summary>The copy of <see cref="At"/> in grey, made once (the still-object analyser and the view's motion both read it).</summary>
    public Mat GreyAt(int width, int minHeight)
    {
        var colour = At(width, minHeight);
        if (_greys.TryGetValue(colour.Size(), out var known)) return known;
        var grey = new Mat();
        Cv2.CvtColor(colour, grey, ColorConversionCodes.BGR2GRAY);
        _greys[colour.Size()] = grey;
        return grey;
    }

    /// <summary>
    /// As <see cref="At"/>, but made from the widest copy when the frame is larger than it: a little softer (two
    /// averagings), which averages over cells do not notice but thresholds on single pixels (flame colour, the
    /// flicker of dim flames) do: on the evaluation's underexposed fires the flame cue raised 1.4–2 s later.
    /// </summary>
    public Mat Coarse(int width, int minHeight) => Copy(width, minHeight, coarse: width < Widest && frame.Width > Widest);

    private Mat Copy(int width, int minHeight, bool coarse)
    {
        var size = new Size(width, Math.Max(minHeight, (int)Math.Round(frame.Height * (double)width / frame.Width)));
        if (_copies.TryGetValue((size, coarse), out var known)) return known;
        var copy = new Mat();
        Cv2.Resize(coarse ? At(Widest, 1) : Halved(size) ?? frame, copy, size, 0, 0, InterpolationFlags.Area);
        _copies[(size, coarse)] = copy;
        return copy;
    }

    /// <summary>
    /// The frame at half size when <paramref name="size"/> is an even whole fraction of it, a quarter or less
    /// (1280×720 → 320×180): averaging blocks of 2×2 and then the rest gives the same pixels, to rounding, and
    /// OpenCV halves several times faster than it shrinks by other factors (0.21 ms for both steps against
    /// 0.66 ms in one, docs/BENCHMARKS.md). Else null.
    /// </summary>
    private Mat? Halved(Size size) =>
        frame.Width >= 4 * size.Width && frame.Width % (2 * size.Width) == 0 && frame.Height % (2 * size.Height) == 0
            ? At(frame.Width / 2, frame.Height / 2)
            : null;

    public void Dispose()
    {
        foreach (var copy in _copies.Values.Concat(_greys.Values)) copy.Dispose();
        _copies.Clear();
        _greys.Clear();
    }
}
