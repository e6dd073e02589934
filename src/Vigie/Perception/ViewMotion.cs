using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>
/// Measures how the camera's own view moved (a pan, tilt, zoom or shake) since the view the tracks are in, so
/// the tracker can take it out of them: ORB corners of the background, spread over the picture, everything detected
/// masked out (people and vehicles move on their own), matched with the previous frame's, and the similarity most of them
/// agree on (RANSAC), as in BoT-SORT's camera-motion compensation. Matching corners, unlike the motion field's
/// coarse optical flow, holds for a whip pan of a quarter of the picture between two frames.
/// </summary>
public sealed class ViewMotion : IDisposable
{
    private const int Corners = 250;
    // The corners are spread over a grid of the picture, each cell keeping its strongest few: left to strength alone,
    // they gather on whatever is most contrasted, and a large undetected thing (a train with lettering and windows)
    // could then hold most of them and pass its move for the view's.
    private const int GridColumns = 8, GridRows = 6;
    private const int PerCell = (Corners + GridColumns * GridRows - 1) / (GridColumns * GridRows);
    // Fewer background corners than this agreeing, or less than this share of the matches: the move is unknown
    // (a cut, motion blur, a picture filled by people) and nothing is taken out.
    private const int MinAgreeing = 15;
    private const double MinAgreeingShare = 0.25;
    // The agreeing corners must spread over this share of the picture (the box around them): a move measured on
    // one undetected thing (a waving flag, a passing shadow) is that thing's, not the view's. In a packed street
    // the background left between masked people may be a strip of shop fronts: a band is enough.
    private const double MinSpread = 1.0 / 12;
    // Below this (a share of the frame's height, or of scale, or radians) the view held still: compression noise
    // and vibrations are left to the tracker's filter, and a fixed camera's tracks stay exactly as they were.
    private const double StillBelow = 0.01;
    // How near (pixels of the shrunk picture) a matched corner must be to where a move puts it to agree with it.
    private const double Agreement = 3;
    // A move must explain this many times as many matched corners as no move does (see ExplainsMoreThanStill).
    private const double MoveOverStill = 1.5;
    private static readonly ViewShift Held = new(1, 0, 0, 0);

    // Several times as many candidates as kept, for the grid to choose from where the strongest are not; looked for up
    // to 10 px from the sides (ORB's default of 31 px leaves out nearly half of the 320-wide copy, and a large thing in
    // the middle then fills most of what is left; the descriptors near the sides reach into a mirrored border).
    private readonly ORB _orb = ORB.Create(4 * Corners, scaleFactor: 1.2f, nLevels: 3, edgeThreshold: 10);
    private readonly BFMatcher _matcher = new(NormTypes.Hamming, crossCheck: true);
    // The view the tracks are in: the last frame whose move was taken out, or whose move was unknown. Measuring
    // from it rather than from the previous frame adds up a slow pan until it counts, and never adds up noise.
    private KeyPoint[] _referenceCorners = [];
    private Mat? _referenceDescriptors;

    /// <summary>
    /// The view's move since the view the tracks are in, in full-frame pixels, to be taken out of them; null when it
    /// held still or its move could not be measured (the first frame, a cut, a blurred or featureless picture).
    /// </summary>
    /// <param name="moving">Boxes of what was detected on this frame (full-frame pixels): their corners move on their own.</param>
    public ViewShift? Measure(ShrunkFrame frame, IReadOnlyList<Box> moving)
    {
        var grey = frame.GreyAt(ShrunkFrame.Widest, 1);
        var toSmall = (double)grey.Width / frame.Width;
        using var mask = new Mat(grey.Size(), MatType.CV_8UC1, Scalar.All(255));
        foreach (var b in moving)
            Cv2.Rectangle(mask, new Rect((int)(b.X * toSmall), (int)(b.Y * toSmall), (int)Math.Ceiling(b.Width * toSmall) + 1,
                (int)Math.Ceiling(b.Height * toSmall) + 1), Scalar.All(0), -1);
        using var candidateDescriptors = new Mat();
        _orb.DetectAndCompute(grey, mask, out var candidates, candidateDescriptors);
        var (corners, descriptors) = SpreadOverGrid(candidates, candidateDescriptors, grey.Size());
        var shift = Between(_referenceCorners, _referenceDescriptors, corners, descriptors, grey.Size()) is { } s
            ? s with { Tx = s.Tx / toSmall, Ty = s.Ty / toSmall }
            : (ViewShift?)null;
        var moved = shift is { } m && m.Moves(grey.Height / toSmall, StillBelow);
        if (shift is null || moved)
        {
            _referenceDescriptors?.Dispose();
            (_referenceCorners, _referenceDescriptors) = (corners, descriptors);
        }
        else descriptors.Dispose();
        return moved ? shift : null;
    }

    private static (KeyPoint[] Corners, Mat Descriptors) SpreadOverGrid(KeyPoint[] candidates, Mat descriptors, Size size)
    {
        var kept = Enumerable.Range(0, candidates.Length)
            .GroupBy(i => (Column: Math.Min(GridColumns - 1, (int)(candidates[i].Pt.X * GridColumns / size.Width)),
                Row: Math.Min(GridRows - 1, (int)(candidates[i].Pt.Y * GridRows / size.Height))))
            .SelectMany(cell => cell.OrderByDescending(i => candidates[i].Response).Take(PerCell))
            .ToArray();
        if (kept.Length == 0) return ([], new Mat());
        var width = descriptors.Cols;
        var keptBytes = new byte[kept.Length * width];
        descriptors.GetArray(out byte[] all);
        for (int row = 0; row < kept.Length; row++) Array.Copy(all, kept[row] * width, keptBytes, row * width, width);
        using var view = Mat.FromPixelData(kept.Length, width, descriptors.Type(), keptBytes);
        return (kept.Select(i => candidates[i]).ToArray(), view.Clone());
    }

    private ViewShift? Between(KeyPoint[] before, Mat? beforeDescriptors, KeyPoint[] now, Mat nowDescriptors, Size size)
    {
        if (beforeDescriptors is null || before.Length < MinAgreeing || now.Length < MinAgreeing) return null;
        var matches = _matcher.Match(beforeDescriptors, nowDescriptors);
        if (matches.Length < MinAgreeing) return null;
        var from = matches.Select(m => new Point2d(before[m.QueryIdx].Pt.X, before[m.QueryIdx].Pt.Y)).ToArray();
        var to = matches.Select(m => new Point2d(now[m.TrainIdx].Pt.X, now[m.TrainIdx].Pt.Y)).ToArray();
        using var fromArray = InputArray.Create(from);
        using var toArray = InputArray.Create(to);
        using var inliers = new Mat();
        using var similarity = Cv2.EstimateAffinePartial2D(fromArray, toArray, inliers, RobustEstimationAlgorithms.RANSAC, Agreement);
        if (similarity is null || similarity.Empty() || inliers.Empty()) return null;
        var agreeing = Enumerable.Range(0, matches.Length).Where(i => inliers.Get<byte>(i) != 0).Select(i => to[i]).ToList();
        if (agreeing.Count < MinAgreeing || agreeing.Count < MinAgreeingShare * matches.Length) return null;
        var spread = (agreeing.Max(p => p.X) - agreeing.Min(p => p.X)) * (agreeing.Max(p => p.Y) - agreeing.Min(p => p.Y));
        if (spread < MinSpread * size.Width * size.Height) return null;
        var move = new ViewShift(similarity.Get<double>(0, 0), similarity.Get<double>(1, 0), similarity.Get<double>(0, 2), similarity.Get<double>(1, 2));
        return ExplainsMoreThanStill(move, from, to) ? move : Held;
    }

    /// <summary>
    /// Whether clearly more matched corners sit where the move puts them than where they were. A large thing the detector
    /// does not see, moving as one (a train pulling out, the mass of a crowd, flames and smoke), can win the
    /// consensus over a still view, helped by the still corners near it that a small move explains as well; then most
    /// corners still prefer no move at all (AVSS platform: 5 to 26 as the train left; theatre gate: every measured
    /// move). A move of the whole view leaves nothing where it was but overlaid text.
    /// </summary>
    private static bool ExplainsMoreThanStill(ViewShift move, Point2d[] from, Point2d[] to)
    {
        int byMove = 0, byStill = 0;
        for (int i = 0; i < from.Length; i++)
        {
            var moved = move.Apply(new Point2((float)from[i].X, (float)from[i].Y));
            var offMove = to[i].DistanceTo(new Point2d(moved.X, moved.Y));
            var offStill = to[i].DistanceTo(from[i]);
            if (offMove < offStill) { if (offMove < Agreement) byMove++; }
            else if (offStill < Agreement) byStill++;
        }
        return byMove >= MoveOverStill * byStill;
    }

    public void Dispose()
    {
        _referenceDescriptors?.Dispose();
        _matcher.Dispose();
        _orb.Dispose();
    }
}
