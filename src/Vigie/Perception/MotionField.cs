using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>
/// Coarse image motion of one frame on a grid of cells: the fraction of each cell that is foreground
/// (differs from the learned background) and its mean optical flow, in normalised image units per
/// second (1.0 = the image width, or height, per second). What crowd rules read instead of pixels.
/// </summary>
public sealed record MotionField(int Columns, int Rows, float[] Foreground, float[] FlowX, float[] FlowY)
{
    /// <summary>False while the background model is still learning: its first frames are all foreground.</summary>
    public bool ForegroundReady { get; init; } = true;

    private bool? _cameraMoving;

    /// <summary>The camera itself moved on this frame (see <see cref="CameraMotion"/>): asked by several rules, computed once.</summary>
    public bool CameraMoving => _cameraMoving ??= CameraMotion.Of(this);

    /// <summary>Indices of the cells whose centre lies in a polygon (normalised coordinates).</summary>
    public IReadOnlyList<int> CellsIn(IReadOnlyList<Point2> polygon) => Shapes.GridCellsIn(Columns, Rows, polygon);
}

/// <summary>
/// Computes a <see cref="MotionField"/> per analysed frame: MOG2 foreground and Farnebäck dense optical
/// flow on a small grey copy of the frame. Only run when a rule needs it.
/// </summary>
public sealed class MotionAnalyzer : IDisposable
{
    private const int Width = 192;
    private const int Cell = 8;
    // The background forgets in about a minute and needs 2 s to learn a view, at any analysis rate.
    private readonly TimedBackground _background = new(memoryS: 60, warmup: TimeSpan.FromSeconds(2), varThreshold: 25, detectShadows: false);
    private readonly Mat _grey = new();
    private readonly Mat _previous = new();
    private readonly Mat _mask = new();
    private readonly Mat _flow = new();
    private TimeSpan? _previousTime;

    public MotionField Analyse(ShrunkFrame frame, TimeSpan time)
    {
        Cv2.CvtColor(frame.Coarse(Width, Cell), _grey, ColorConversionCodes.BGR2GRAY);
        var dt = _previousTime is { } p ? (time - p).TotalSeconds : 0;
        var foregroundReady = _background.Apply(_grey, _mask, time);
        int cols = _grey.Width / Cell, rows = _grey.Height / Cell;
        var fg = new float[cols * rows];
        var fx = new float[cols * rows];
        var fy = new float[cols * rows];
        var haveFlow = dt > 0 && !_previous.Empty() && _previous.Size() == _grey.Size();
        if (haveFlow)
            Cv2.CalcOpticalFlowFarneback(_previous, _grey, _flow, 0.5, 3, 13, 3, 5, 1.1, OpticalFlowFlags.None);
        // Cell means by one area resize of the whole grid each (a native call per cell cost more than the flow).
        var masked = CellMeans.Of(_mask, cols, rows, Cell);
        for (int i = 0; i < fg.Length; i++) fg[i] = masked[i] / 255;
        if (haveFlow)
        {
            var flow = CellMeans.Of(_flow, cols, rows, Cell);
            for (int i = 0; i < fx.Length; i++)
            {
                fx[i] = (float)(flow[2 * i] / _grey.Width / dt);
                fy[i] = (float)(flow[2 * i + 1] / _grey.Height / dt);
            }
        }
        _grey.CopyTo(_previous);
        _previousTime = time;
        var field = new MotionField(cols, rows, fg, fx, fy) { ForegroundReady = foregroundReady };
        if (!field.CameraMoving) return field;
        // The learned background no longer matches the view (a pan, a zoom, a handheld camera): everything
        // would be foreground. A fresh model learns the new view, its foreground unused until warmed up.
        _background.Restart();
        return field with { ForegroundReady = false };
    }

    public void Dispose()
    {
        _background.Dispose();
        _grey.Dispose();
        _previous.Dispose();
        _mask.Dispose();
        _flow.Dispose();
    }
}
