using Vigie.Analytics;
using Vigie.Geometry;

namespace Vigie.Forensics;

/// <summary>What one piece of a recording produced: its tracks and its closed events.</summary>
public sealed record PieceResult(IndexPiece Piece, IReadOnlyList<IndexedPath> Tracks, IReadOnlyList<SceneEvent> Events);

/// <summary>A track path with the thumbnail taken of it, if any.</summary>
public sealed record IndexedPath(TrackPath Path, Thumbnail? Thumbnail, string? Colour);

/// <summary>
/// A thumbnail file (relative to the index folder) and where it was cut from its frame (pixels), with the
/// vehicles and objects known in it at that moment (pixels of the thumbnail), which stay visible when
/// whatever else differs from the scene's background is pixelated.
/// </summary>
public sealed record Thumbnail(string File, Box Crop, IReadOnlyList<Box> Things);

/// <summary>
/// Joins the pieces of one recording back into one story. Pieces overlap by the warm-up: a track seen
/// on both sides of a cut is matched by its boxes during the overlap and continued; events are kept by
/// the piece in whose own stretch they were raised, and one cut by a piece's end is extended.
/// </summary>
public static class PieceStitching
{
    /// <summary>Mean box IoU during the overlap above which two tracks are the same object.</summary>
    public const double SameObjectIoU = 0.4;

    public static (IReadOnlyList<IndexedPath> Tracks, IReadOnlyList<SceneEvent> Events) Join(IReadOnlyList<PieceResult> pieces,
        Action<string>? dropThumbnail = null)
    {
        var ordered = pieces.OrderBy(p => p.Piece.Part).ToList();
        if (ordered.Count == 0) return ([], []);
        var tracks = ordered[0].Tracks.ToList();
        var events = ordered[0].Events.ToList();
        for (int k = 1; k < ordered.Count; k++)
        {
            var cut = ordered[k].Piece.From.TotalSeconds;
            var open = tracks.Where(t => t.Path.EndS >= cut - 2).ToList();
            foreach (var next in ordered[k].Tracks)
            {
                if (next.Path.EndS < cut)
                {
                    if (next.Thumbnail is { } thumb) dropThumbnail?.Invoke(thumb.File);
                    continue; // seen entirely during the warm-up: the piece before has it
                }
                var before = next.Path.StartS < cut ? BestMatch(next.Path, open, cut) : null;
                if (before is null)
                {
                    tracks.Add(next with { Path = From(next.Path, cut) });
                    continue;
                }
                open.Remove(before);
                var joined = before.Path with
                {
                    Points = before.Path.Points.Concat(next.Path.Points.Where(p => p.T > before.Path.EndS)).ToList(),
                };
                tracks[tracks.IndexOf(before)] = before with { Path = joined, Thumbnail = before.Thumbnail ?? next.Thumbnail, Colour = before.Colour ?? next.Colour };
                if (next.Thumbnail is { } dropped && before.Thumbnail is not null) dropThumbnail?.Invoke(dropped.File);
            }
            foreach (var e in ordered[k].Events)
            {
                if (e.RaisedAt.TotalSeconds >= cut)
                {
                    events.Add(e);
                    continue;
                }
                // Raised during the warm-up: the piece before raised it too, but had to close it at the cut.
                var closedByCut = events.FindIndex(x => x.Kind == e.Kind && x.Where == e.Where && x.End is { } end && end.TotalSeconds >= cut - 1);
                if (closedByCut >= 0 && (e.End is null || e.End > events[closedByCut].End))
                    events[closedByCut] = events[closedByCut] with { End = e.End };
            }
        }
        return (tracks, events.OrderBy(e => e.RaisedAt).ToList());
    }

    private static IndexedPath? BestMatch(TrackPath next, IReadOnlyList<IndexedPath> candidates, double cut)
    {
        IndexedPath? best = null;
        var bestIoU = SameObjectIoU;
        foreach (var c in candidates)
        {
            var ious = new List<double>();
            foreach (var p in next.Points.Where(p => p.T < cut))
            {
                var nearest = c.Path.Points.MinBy(q => Math.Abs(q.T - p.T));
                if (Math.Abs(nearest.T - p.T) <= 0.15) ious.Add(nearest.Box.IoU(p.Box));
            }
            if (ious.Count == 0) continue;
            var mean = ious.Average();
            if (mean > bestIoU)
            {
                bestIoU = mean;
                best = c;
            }
        }
        return best;
    }

    private static TrackPath From(TrackPath path, double cut) =>
        path with { Points = path.Points.Where(p => p.T >= cut).ToList() };
}
