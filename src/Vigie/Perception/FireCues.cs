using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>
/// Model-free fire evidence of one frame on a grid of cells: the share of each cell with flame colours
/// and with smoke-like pixels, and how much flame pixels flicker compared with the rest of the image.
/// </summary>
public sealed record FireCues(int Columns, int Rows, float[] Flame, float[] Smoke, double FlickerRatio)
{
    public bool Ready { get; init; } = true;

    /// <summary>
    /// The frame flicker is measured against (about 0.2 s before) lies on this one: the view did not move, or it
    /// shifted and was shifted back.
    /// False when the view changed in a way no shift explains (a zoom, a turn, a fast pan): flicker is then meaningless.
    /// </summary>
    public bool Aligned { get; init; } = true;
}

/// <summary>
/// Computes <see cref="FireCues"/>: a flame colour rule (red dominant, R ≥ G > B, bright for the picture and saturated),
/// temporal flicker (flames change brightness from frame to frame far more than the rest of the scene,
/// so a red coat, a brake light or a camera shake does not look like fire), and smoke: greyer pixels
/// that have changed from the scene's slowly learned background and soften it — what lies behind still
/// shows through, with far less contrast there than in the rest of the image (dusk or a shadow, which
/// scale light and contrast alike, do not count; someone walking in front hides the pattern instead of
/// fading it), where the background has edges to lose. Whether it rises is the rule's to check
/// (<see cref="Vigie.Analytics.Fire"/>, from the motion field). Pixels inside detected people's boxes
/// are neither flames nor smoke: orange clothing flickers as its wearer moves, a grey coat hides the
/// wall behind it. Runs on a small copy of the frame.
/// </summary>
/// <param name="withSmoke">Whether to look for smoke (an opt-in cue); without it the smoke cells stay empty.</param>
public sealed class FireAnalyzer(bool withSmoke) : IDisposable
{
    private const int Width = 256;
    private const int Cell = 16;
    private readonly Mat _grey = new();
    private readonly Mat _reference = new();
    private readonly Mat _hsv = new();
    private readonly Mat _referenceFlame = new();
    // Flicker is measured against the frame about a fifth of a second before (the default analysis step), at any
    // analysis rate: between frames a 25th of a second apart flames change little while a camera's slight drift,
    // below what the alignment corrects, makes textured flame-coloured ground flicker (dry hills at 10 frames/s).
    // At least a tenth of a second: at 5 analysed frames a second, whatever the camera's own rate, the previous frame
    // is always the nearest.
    private const double FlickerStepS = 0.2, ShortestFlickerStepS = 0.1;
    private sealed record Past(TimeSpan Time, Mat Grey, Mat Flame);
    private readonly List<Past> _recent = [];
    private readonly Mat _background = new();
    private readonly Mat _backgroundSaturation = new();

    // The background forgets in about 20 s; smoke itself is kept out of it.
    private const double BackgroundMemoryS = 20;
    // Mean Sobel gradient of a background cell below which it has no edges for smoke to soften.
    private const double TextureFloor = 12;
    // A smoke cell keeps at most this share of its background's edges, relative to the image as a whole.
    private const double SoftenedRatio = 0.6;
    private const double MinChange = 3;
    private const double MinSeenThrough = 0.5;
    // A cell can turn smoky once it has matched the background for 3 s, and stays eligible while smoky
    // and for 2 s after: times, so that any analysis rate means the same (a hundredth of a second's slack
    // for rounded frame times).
    private const double CalmS = 3, EligibleS = 2, Slack = 0.01;
    private double[] _calmS = [], _lastEligible = [];

    /// <param name="occupied">Boxes (frame pixels) of the people detected in this frame.</param>
    public FireCues Analyse(ShrunkFrame frame, TimeSpan time, IReadOnlyList<Box> occupied)
    {
        // The past frames kept for flicker end with the previous one.
        var dt = _recent.Count > 0 ? Math.Max(0, (time - _recent[^1].Time).TotalSeconds) : 0;
        var scale = (double)Width / frame.Width;
        var small = frame.At(Width, Cell);
        Cv2.CvtColor(small, _grey, ColorConversionCodes.BGR2GRAY);
        Cv2.CvtColor(small, _hsv, ColorConversionCodes.BGR2HSV);
        var channels = Cv2.Split(small);
        var hsv = Cv2.Split(_hsv);
        using var b = channels[0];
        using var g = channels[1];
        using var r = channels[2];
        using var s = hsv[1];
        hsv[0].Dispose();
        hsv[2].Dispose();

        using var flame = new Mat();
        using (var bright = new Mat())
        using (var rg = new Mat())
        using (var gb = new Mat())
        using (var saturated = new Mat())
        {
            Cv2.Threshold(r, bright, FlameBrightness(r), 255, ThresholdTypes.Binary);
            Cv2.Compare(r, g, rg, CmpTypes.GE);
            Cv2.Compare(g, b, gb, CmpTypes.GT);
            Cv2.Threshold(s, saturated, 70, 255, ThresholdTypes.Binary);
            Cv2.BitwiseAnd(bright, rg, flame);
            Cv2.BitwiseAnd(flame, gb, flame);
            Cv2.BitwiseAnd(flame, saturated, flame);
        }
        Blank(flame, occupied, scale);

        var past = FlickerReference(time);
        var ready = past is not null && past.Grey.Size() == _grey.Size();
        if (ready)
        {
            past!.Grey.CopyTo(_reference);
            past.Flame.CopyTo(_referenceFlame);
        }
        var aligned = ready && AlignReference();
        using var change = new Mat();
        if (ready) Cv2.Absdiff(_grey, _reference, change);
        else change.Create(_grey.Size(), MatType.CV_8UC1);
        if (!ready) change.SetTo(Scalar.All(0));

        using var flicker = new Mat();
        Cv2.Threshold(change, flicker, 25, 255, ThresholdTypes.Binary);
        double flickerRatio = 0;
        // Flicker is measured on pixels that stay flame-coloured in both frames: someone in an orange
        // shirt walking past changes the colour, a flame keeps it while its brightness jumps.
        using var steady = new Mat();
        if (ready && _referenceFlame.Size() == flame.Size()) Cv2.BitwiseAnd(flame, _referenceFlame, steady);
        else steady.Create(flame.Size(), MatType.CV_8UC1);
        if (!ready) steady.SetTo(Scalar.All(0));
        var flamePixels = Cv2.CountNonZero(steady);
        if (ready && flamePixels > 0)
        {
            using var onFlame = new Mat();
            using var notFlame = new Mat();
            using var elsewhere = new Mat();
            Cv2.BitwiseAnd(flicker, steady, onFlame);
            Cv2.BitwiseNot(flame, notFlame);
            Cv2.BitwiseAnd(flicker, notFlame, elsewhere);
            var flameShare = Cv2.CountNonZero(onFlame) / (double)flamePixels;
            var otherShare = Cv2.CountNonZero(elsewhere) / Math.Max(1.0, Cv2.CountNonZero(notFlame));
            flickerRatio = flameShare / Math.Max(otherShare, 0.01);
        }

        int cols = _grey.Width / Cell, rows = _grey.Height / Cell;
        var flameCells = CellMeans.Of(flame, cols, rows, Cell);
        for (int i = 0; i < flameCells.Length; i++) flameCells[i] /= 255;
        var smokeCells = withSmoke ? Smoke(s, time.TotalSeconds, dt, occupied, scale, cols, rows) : new float[cols * rows];
        _recent.Add(new Past(time, _grey.Clone(), flame.Clone()));
        return new FireCues(cols, rows, flameCells, smokeCells, flickerRatio) { Ready = ready, Aligned = aligned };
    }

    // Flames are the brightest things in view: red at least this share of the picture's brightest red
    // (its 99.9th percentile, so a few glints do not count), within these bounds. A dim or underexposed
    // camera (dusk, a cheap sensor) then still sees flames that an absolute level would miss.
    private const double ShareOfBrightestRed = 0.7, BrightestShare = 0.999;
    private const int DimmestFlame = 110, BrightFlame = 170;

    private static double FlameBrightness(Mat red)
    {
        using var histogram = new Mat();
        Cv2.CalcHist([red], [0], null, histogram, 1, [256], [new Rangef(0, 256)]);
        histogram.GetArray(out float[] counts);
        var darker = BrightestShare * red.Rows * red.Cols;
        var (level, seen) = (0, (double)counts[0]);
        while (level < 255 && seen < darker) seen += counts[++level];
        return Math.Clamp(ShareOfBrightestRed * level, DimmestFlame, BrightFlame);
    }

    /// <summary>
    /// The past frame flicker is measured against: of those at least <see cref="ShortestFlickerStepS"/> old, the
    /// one nearest <see cref="FlickerStepS"/> (the previous frame at 5 analysed frames a second or fewer), left
    /// first in <see cref="_recent"/>. Older frames are dropped: for every later frame they are further still.
    /// </summary>
    private Past? FlickerReference(TimeSpan now)
    {
        if (_recent.Count > 0 && now < _recent[^1].Time) Forget(_recent.Count); // time went back: another recording
        var chosen = _recent.FindLastIndex(p => (now - p.Time).TotalSeconds >= ShortestFlickerStepS);
        if (chosen < 0) return null;
        static double OffStep(TimeSpan age) => Math.Abs(age.TotalSeconds - FlickerStepS);
        while (chosen > 0 && OffStep(now - _recent[chosen - 1].Time) < OffStep(now - _recent[chosen].Time)) chosen--;
        Forget(chosen);
        return _recent[0];
    }

    /// <summary>Drops the oldest <paramref name="count"/> past frames.</summary>
    private void Forget(int count)
    {
        foreach (var past in _recent.Take(count))
        {
            past.Grey.Dispose();
            past.Flame.Dispose();
        }
        _recent.RemoveRange(0, count);
    }

    /// <summary>
    /// Shifts the reference frame and its flame mask onto this one when the camera drifted between them
    /// (a handheld phone, a mast in the wind): otherwise every textured flame-coloured surface — dry
    /// hills, a brick wall — changes at its edges and seems to flicker, while a smooth sky beside it
    /// does not. The shift is the whole image's, by phase correlation; flames are a small part of it.
    /// False when no shift lines the two frames up.
    /// </summary>
    private bool AlignReference()
    {
        using var current = new Mat();
        using var previous = new Mat();
        using var noWindow = new Mat();
        _grey.ConvertTo(current, MatType.CV_32F);
        _reference.ConvertTo(previous, MatType.CV_32F);
        var shift = Cv2.PhaseCorrelate(previous, current, noWindow, out var response);
        if (response < MinAlignResponse || Math.Abs(shift.X) > MaxShift || Math.Abs(shift.Y) > MaxShift) return false;
        if (Math.Abs(shift.X) + Math.Abs(shift.Y) < 0.5) return true;
        using var move = new Mat(2, 3, MatType.CV_64FC1);
        move.Set(0, 0, 1.0); move.Set(0, 1, 0.0); move.Set(0, 2, shift.X);
        move.Set(1, 0, 0.0); move.Set(1, 1, 1.0); move.Set(1, 2, shift.Y);
        Cv2.WarpAffine(_reference, _reference, move, _reference.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
        if (_referenceFlame.Size() == _reference.Size())
            Cv2.WarpAffine(_referenceFlame, _referenceFlame, move, _reference.Size(), InterpolationFlags.Nearest, BorderTypes.Replicate);
        return true;
    }

    // Below this peak the correlation found no common shift (a cut, a view without texture); beyond
    // MaxShift pixels (of the 256-wide copy) the camera is panning and the rule ignores the cues anyway.
    private const double MinAlignResponse = 0.1, MaxShift = 24;

    /// <summary>Per cell, 1 where smoke softens the background (see the class summary), else 0; learns the background.</summary>
    /// <param name="now">This frame's time (s); <paramref name="dt"/>: seconds since the previous frame.</param>
    private float[] Smoke(Mat saturation, double now, double dt, IReadOnlyList<Box> occupied, double scale, int cols, int rows)
    {
        var cells = new float[cols * rows];
        if (_background.Empty() || _background.Size() != _grey.Size())
        {
            _grey.ConvertTo(_background, MatType.CV_32F);
            saturation.ConvertTo(_backgroundSaturation, MatType.CV_32F);
            return cells;
        }
        using var background = new Mat();
        _background.ConvertTo(background, MatType.CV_8U);
        using var edges = Edges(_grey);
        using var backgroundEdges = Edges(background);
        using var change = new Mat();
        Cv2.Absdiff(_grey, background, change);
        using var free = new Mat(_grey.Size(), MatType.CV_8UC1, Scalar.All(255));
        Blank(free, occupied, scale);

        // Haze adds light: it lowers the contrast of what lies behind relative to its brightness, where a
        // shadow or dusk scales both alike. Contrast here is the mean gradient over the mean brightness.
        var (edgesNow, edgesBehind) = (CellMeans.Of(edges, cols, rows, Cell), CellMeans.Of(backgroundEdges, cols, rows, Cell));
        var (lightNow, lightBehind) = (CellMeans.Of(_grey, cols, rows, Cell), CellMeans.Of(_background, cols, rows, Cell));
        var kept = new double[cols * rows];
        var textured = new List<double>();
        for (int i = 0; i < cells.Length; i++)
        {
            kept[i] = edgesBehind[i] >= TextureFloor
                ? edgesNow[i] / Math.Max(10, lightNow[i]) / (edgesBehind[i] / Math.Max(10, lightBehind[i]))
                : double.NaN;
            if (!double.IsNaN(kept[i])) textured.Add(kept[i]);
        }
        textured.Sort();
        var usual = textured.Count > 0 ? textured[textured.Count / 2] : 0;
        using var outside = new Mat(_grey.Size(), MatType.CV_8UC1, Scalar.All(255));
        if (_calmS.Length != cells.Length) (_calmS, _lastEligible) = (new double[cells.Length], Enumerable.Repeat(double.NegativeInfinity, cells.Length).ToArray());
        var (changes, freeShares) = (CellMeans.Of(change, cols, rows, Cell), CellMeans.Of(free, cols, rows, Cell));
        var (greyNow, greyBehind) = (CellMeans.Of(saturation, cols, rows, Cell), CellMeans.Of(_backgroundSaturation, cols, rows, Cell));
        for (int i = 0; i < cells.Length; i++)
        {
            var rect = new Rect(i % cols * Cell, i / cols * Cell, Cell, Cell);
            var changed = changes[i] >= MinChange;
            var candidate = !double.IsNaN(kept[i]) && kept[i] <= SoftenedRatio * usual && freeShares[i] >= 255 / 2.0
                && (greyNow[i] <= 45 || greyNow[i] <= 0.75 * greyBehind[i]);
            cells[i] = changed && now - _lastEligible[i] <= EligibleS + Slack && candidate && SeenThrough(rect, background) >= MinSeenThrough ? 1 : 0;
            // Smoke is only told against a background the cell has matched for a while: where someone
            // stood when the analysis started or just walked off, the learned background is their ghost.
            if (!changed) _calmS[i] += dt;
            else if (cells[i] == 0) _calmS[i] = 0;
            if (_calmS[i] >= CalmS - Slack || cells[i] > 0) _lastEligible[i] = now;
            if (cells[i] > 0) Cv2.Rectangle(outside, rect, Scalar.All(0), -1);
        }
        var rate = LearningRate.Over(dt, BackgroundMemoryS);
        Cv2.AccumulateWeighted(_grey, _background, rate, outside);
        Cv2.AccumulateWeighted(saturation, _backgroundSaturation, rate, outside);
        return cells;
    }

    /// <summary>
    /// How much of the background's pattern still shows in the cell (correlation of the two, -1..1):
    /// haze lets it through, faded; a person or a van in front replaces it.
    /// </summary>
    private double SeenThrough(Rect cell, Mat background)
    {
        using var now = new Mat(_grey, cell);
        using var behind = new Mat(background, cell);
        using var result = new Mat();
        Cv2.MatchTemplate(now, behind, result, TemplateMatchModes.CCoeffNormed);
        return result.Get<float>(0, 0);
    }


    private static void Blank(Mat mask, IReadOnlyList<Box> boxes, double scale)
    {
        foreach (var p in boxes)
            Cv2.Rectangle(mask, new Rect((int)(p.X * scale), (int)(p.Y * scale), (int)Math.Ceiling(p.Width * scale), (int)Math.Ceiling(p.Height * scale)),
                Scalar.All(0), -1);
    }

    /// <summary>Gradient magnitude (Sobel), 32-bit float.</summary>
    private static Mat Edges(Mat grey)
    {
        using var dx = new Mat();
        using var dy = new Mat();
        Cv2.Sobel(grey, dx, MatType.CV_32F, 1, 0);
        Cv2.Sobel(grey, dy, MatType.CV_32F, 0, 1);
        var magnitude = new Mat();
        Cv2.Magnitude(dx, dy, magnitude);
        return magnitude;
    }

    public void Dispose()
    {
        _background.Dispose();
        _backgroundSaturation.Dispose();
        _grey.Dispose();
        _reference.Dispose();
        _hsv.Dispose();
        _referenceFlame.Dispose();
        Forget(_recent.Count);
    }
}
