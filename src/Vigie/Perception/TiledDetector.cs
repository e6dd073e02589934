using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>How a frame is cut into overlapping tiles: columns × rows, neighbours sharing a fraction of a tile.</summary>
public sealed record Tiling(int Columns, int Rows, float Overlap)
{
    public bool IsWholeFrameOnly => Columns * Rows <= 1;

    /// <summary>The tiles of a frame, left to right then top to bottom, covering it exactly.</summary>
    public IReadOnlyList<Rect> Tiles(int width, int height)
    {
        var xs = Spans(width, Columns);
        var ys = Spans(height, Rows);
        return ys.SelectMany(y => xs.Select(x => new Rect(x.Start, y.Start, x.Length, y.Length))).ToList();
    }

    private IReadOnlyList<(int Start, int Length)> Spans(int size, int count)
    {
        if (count <= 1) return [(0, size)];
        var length = (int)Math.Ceiling(size / (count - (count - 1) * Overlap));
        var step = (size - length) / (double)(count - 1);
        return Enumerable.Range(0, count).Select(i => ((int)Math.Round(i * step), length)).ToList();
    }
}

/// <summary>
/// Runs a fixed-input model on the whole frame and on overlapping tiles of it, so small, far people
/// are seen at several times the size (a 416-pixel model squeezes a 1280-pixel frame threefold), and
/// merges the answers. A tile also shows pieces of near people (a torso, half a body cut by its edge):
/// a tile's box that is such a piece of a larger box of its class gives way to it.
/// </summary>
public sealed class TiledDetector(IDetector model, Tiling tiling, float nmsIou) : IDetector
{
    /// <summary>How close to a tile's inner edge a box must end to count as cut by it, as a share of the tile's side.</summary>
    private const float EdgeMargin = 0.02f;
    /// <summary>Share of a box lying inside another box of its class for it to be a piece of that object.</summary>
    private const float Inside = 0.6f;
    /// <summary>
    /// An uncut piece must also be this large against the other box: a far person standing in front of a
    /// near one is much smaller than them, a torso is not.
    /// </summary>
    private const float PieceAreaRatio = 0.25f;

    public string Description => $"{model.Description}, whole frame + {tiling.Columns}x{tiling.Rows} tiles";

    public Tiling Tiling => tiling;

    public IReadOnlyList<Detection> Detect(Mat bgrFrame)
    {
        var found = model.Detect(bgrFrame).Select(d => new Candidate(d, FromTile: false, Cut: false)).ToList();
        foreach (var tile in tiling.Tiles(bgrFrame.Width, bgrFrame.Height))
        {
            using var view = new Mat(bgrFrame, tile);
            foreach (var d in model.Detect(view))
            {
                var box = d.Box with { X = d.Box.X + tile.X, Y = d.Box.Y + tile.Y };
                found.Add(new Candidate(d with { Box = box }, FromTile: true, IsCutByInnerEdge(box, tile, bgrFrame.Width, bgrFrame.Height)));
            }
        }
        return Merge(found, nmsIou);
    }

    public readonly record struct Candidate(Detection Detection, bool FromTile, bool Cut);

    /// <summary>
    /// Greedy per-class merge by score, boxes cut by a tile edge last: a box is dropped when it overlaps a
    /// kept one (IoU) or, coming from a tile, is a piece of it; a kept tile box that turns out to be a piece
    /// of a later, larger box is replaced by it; a kept box takes the score of a more confident box it
    /// absorbs. Weak boxes (kept for the tracker) take part by their score, so a faint whole-frame box never
    /// hides a tile's confident one. The whole frame's own boxes
    /// were merged by the model's NMS already: they are never taken for pieces of each other.
    /// </summary>
    public static List<Detection> Merge(IEnumerable<Candidate> candidates, float nmsIou)
    {
        var kept = new List<Detection>();
        foreach (var group in candidates.GroupBy(c => c.Detection.Label))
        {
            var ordered = group.OrderBy(c => c.Cut).ThenByDescending(c => c.Detection.Score);
            var mine = new List<Candidate>();
            foreach (var c in ordered)
            {
                var box = c.Detection.Box;
                var same = mine.FindIndex(k => k.Detection.Box.IoU(box) > nmsIou || c.FromTile && IsPieceOf(box, k.Detection.Box, c.Cut));
                if (same >= 0)
                {
                    // A confident piece vouches for the faint whole it belongs to (a lying person the
                    // whole frame barely sees, cut in two by the tiles).
                    if (c.Detection.Score > mine[same].Detection.Score)
                        mine[same] = mine[same] with { Detection = mine[same].Detection with { Score = c.Detection.Score } };
                    continue;
                }
                var piece = mine.FindIndex(k => k.FromTile && IsPieceOf(k.Detection.Box, box, k.Cut));
                if (piece < 0) mine.Add(c);
                // The whole replaces its piece, at the more confident of the two scores.
                else mine[piece] = c with { Detection = c.Detection with { Score = Math.Max(c.Detection.Score, mine[piece].Detection.Score) } };
            }
            kept.AddRange(mine.Select(k => k.Detection));
        }
        return kept.OrderByDescending(d => d.Score).ToList();
    }

    private static bool IsPieceOf(Box piece, Box whole, bool cut) =>
        piece.Area < whole.Area && piece.IntersectionArea(whole) >= Inside * piece.Area && (cut || piece.Area >= PieceAreaRatio * whole.Area);

    public static bool IsCutByInnerEdge(Box box, Rect tile, int frameWidth, int frameHeight)
    {
        float mx = Math.Max(3, EdgeMargin * tile.Width), my = Math.Max(3, EdgeMargin * tile.Height);
        return tile.X > 0 && box.X <= tile.X + mx
            || tile.Y > 0 && box.Y <= tile.Y + my
            || tile.Right < frameWidth && box.Right >= tile.Right - mx
            || tile.Bottom < frameHeight && box.Bottom >= tile.Bottom - my;
    }

    public void Dispose() => model.Dispose();
}
