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
}

/// <summary>
/// Computes <see cref="FireCues"/>: a flame colour rule (red dominant, R ≥ G > B, bright and saturated),
/// temporal flicker (flames change brightness from frame to frame far more than the rest of the scene,
/// so a red coat, a brake light or a camera shake does not look like fire), and smoke (grey, low
/// saturation, changing slowly). Pixels inside detected people's boxes are not flames: orange or yellow
/// clothing moving with its wearer flickers too. Runs on a small copy of the frame.
/// </summary>
public sealed class FireAnalyzer : IDisposable
{
    private const int Width = 256;
    private const int Cell = 16;
    private readonly Mat _small = new();
    private readonly Mat _grey = new();
    private readonly Mat _previous = new();
    private readonly Mat _hsv = new();
    private readonly Mat _previousFlame = new();

    /// <param name="people">Boxes (frame pixels) of the people detected in this frame.</param>
    public FireCues Analyse(Mat bgr, IReadOnlyList<Box> people)
    {
        var scale = (double)Width / bgr.Width;
        Cv2.Resize(bgr, _small, new Size(Width, Math.Max(Cell, (int)Math.Round(bgr.Height * scale))), 0, 0, InterpolationFlags.Area);
        Cv2.CvtColor(_small, _grey, ColorConversionCodes.BGR2GRAY);
        Cv2.CvtColor(_small, _hsv, ColorConversionCodes.BGR2HSV);
        var channels = Cv2.Split(_small);
        var hsv = Cv2.Split(_hsv);
        using var b = channels[0];
        using var g = channels[1];
        using var r = channels[2];
        using var s = hsv[1];
        using var v = hsv[2];
        hsv[0].Dispose();

        using var flame = new Mat();
        using (var bright = new Mat())
        using (var rg = new Mat())
        using (var gb = new Mat())
        using (var saturated = new Mat())
        {
            Cv2.Threshold(r, bright, 170, 255, ThresholdTypes.Binary);
            Cv2.Compare(r, g, rg, CmpTypes.GE);
            Cv2.Compare(g, b, gb, CmpTypes.GT);
            Cv2.Threshold(s, saturated, 70, 255, ThresholdTypes.Binary);
            Cv2.BitwiseAnd(bright, rg, flame);
            Cv2.BitwiseAnd(flame, gb, flame);
            Cv2.BitwiseAnd(flame, saturated, flame);
        }
        foreach (var p in people)
            Cv2.Rectangle(flame, new Rect((int)(p.X * scale), (int)(p.Y * scale), (int)Math.Ceiling(p.Width * scale), (int)Math.Ceiling(p.Height * scale)),
                Scalar.All(0), -1);

        var ready = !_previous.Empty() && _previous.Size() == _grey.Size();
        using var change = new Mat();
        if (ready) Cv2.Absdiff(_grey, _previous, change);
        else change.Create(_grey.Size(), MatType.CV_8UC1);
        if (!ready) change.SetTo(Scalar.All(0));

        using var smoke = new Mat();
        using (var grey = new Mat())
        using (var mid = new Mat())
        using (var slow = new Mat())
        {
            Cv2.Threshold(s, grey, 45, 255, ThresholdTypes.BinaryInv);
            Cv2.InRange(v, new Scalar(90), new Scalar(235), mid);
            Cv2.InRange(change, new Scalar(2), new Scalar(15), slow);
            Cv2.BitwiseAnd(grey, mid, smoke);
            Cv2.BitwiseAnd(smoke, slow, smoke);
        }

        using var flicker = new Mat();
        Cv2.Threshold(change, flicker, 25, 255, ThresholdTypes.Binary);
        double flickerRatio = 0;
        // Flicker is measured on pixels that stay flame-coloured in both frames: someone in an orange
        // shirt walking past changes the colour, a flame keeps it while its brightness jumps.
        using var steady = new Mat();
        if (ready && _previousFlame.Size() == flame.Size()) Cv2.BitwiseAnd(flame, _previousFlame, steady);
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
        var flameCells = new float[cols * rows];
        var smokeCells = new float[cols * rows];
        for (int row = 0; row < rows; row++)
            for (int col = 0; col < cols; col++)
            {
                var rect = new Rect(col * Cell, row * Cell, Cell, Cell);
                using (var f = new Mat(flame, rect)) flameCells[row * cols + col] = Cv2.CountNonZero(f) / (float)(Cell * Cell);
                using (var k = new Mat(smoke, rect)) smokeCells[row * cols + col] = Cv2.CountNonZero(k) / (float)(Cell * Cell);
            }
        _grey.CopyTo(_previous);
        flame.CopyTo(_previousFlame);
        return new FireCues(cols, rows, flameCells, smokeCells, flickerRatio) { Ready = ready };
    }

    public void Dispose()
    {
        _small.Dispose();
        _grey.Dispose();
        _previous.Dispose();
        _hsv.Dispose();
        _previousFlame.Dispose();
    }
}
