using Vigie.Geometry;

namespace Vigie.Forensics;

/// <summary>An object's stretch of time in the source, to be shown in the synopsis; path boxes normalised, times in recording seconds.</summary>
public sealed record Tube(long TrackId, IReadOnlyList<PathPoint> Path, double FromS, double ToS)
{
    public double Length => ToS - FromS;
}

/// <summary>Where a tube plays in the synopsis: from <see cref="AtS"/> seconds on.</summary>
public sealed record Placement(Tube Tube, double AtS);

/// <param name="OverlapFraction">Share of the shown objects' box area (summed over time) covered by another shown object.</param>
/// <param name="CollidingPairs">Pairs of objects that overlap at some moment of the synopsis.</param>
public sealed record SynopsisPlan(IReadOnlyList<Placement> Placements, double LengthS, double OverlapFraction, int CollidingPairs);

/// <summary>Either a synopsis length to fit in, or at most this many objects at once (the length follows).</summary>
public sealed record SynopsisTarget(double? LengthS, int? MaxObjects);

/// <summary>
/// Shifts tubes in time so objects of different moments play together with as little overlap as
/// possible: each tube, in chronological order, takes the start where it hides least of the tubes
/// already placed (earliest on ties), on a coarse grid of the image over time. Pure.
/// </summary>
public static class SynopsisPlanner
{
    public const double Step = 0.2;
    private const double CandidateStep = 0.5;
    private const int Columns = 32;
    private const int Rows = 18;

    public static SynopsisPlan Plan(IReadOnlyList<Tube> tubes, SynopsisTarget target)
    {
        var ordered = tubes.OrderBy(t => t.FromS).ToList();
        var cells = ordered.Select(Cells).ToList();
        var horizon = target.LengthS is { } l ? l : ordered.Sum(t => t.Length) + 1;
        var occupancy = new Dictionary<(int Slot, int Cell), int>();
        var active = new Dictionary<int, int>();
        var placements = new List<Placement>();
        for (int i = 0; i < ordered.Count; i++)
        {
            var tube = ordered[i];
            var last = Math.Max(0, horizon - tube.Length);
            double best = 0;
            var bestCost = long.MaxValue;
            for (double s = 0; s <= last + 1e-9; s += CandidateStep)
            {
                var offset = (int)Math.Round(s / Step);
                if (target.MaxObjects is { } max && Enumerable.Range(0, cells[i].Count).Any(k => active.GetValueOrDefault(offset + k) >= max)) continue;
                long cost = 0;
                for (int k = 0; k < cells[i].Count && cost < bestCost; k++)
                    foreach (var c in cells[i][k]) cost += occupancy.GetValueOrDefault((offset + k, c));
                if (cost < bestCost)
                {
                    bestCost = cost;
                    best = s;
                    if (cost == 0) break; // the earliest free start
                }
            }
            var at = (int)Math.Round(best / Step);
            for (int k = 0; k < cells[i].Count; k++)
            {
                active[at + k] = active.GetValueOrDefault(at + k) + 1;
                foreach (var c in cells[i][k]) occupancy[(at + k, c)] = occupancy.GetValueOrDefault((at + k, c)) + 1;
            }
            placements.Add(new Placement(tube, best));
        }
        var length = placements.Count == 0 ? 0 : placements.Max(p => p.AtS + p.Tube.Length);
        var (overlap, pairs) = Overlap(placements);
        return new SynopsisPlan(placements, length, overlap, pairs);
    }

    /// <summary>The grid cells a tube's box covers at each step of its life.</summary>
    private static List<int[]> Cells(Tube tube)
    {
        var list = new List<int[]>();
        for (double t = tube.FromS; t <= tube.ToS + 1e-9; t += Step)
        {
            if (PathPoints.BoxAt(tube.Path, t) is not { } b) { list.Add([]); continue; }
            int x0 = Math.Clamp((int)(b.X * Columns), 0, Columns - 1), x1 = Math.Clamp((int)(b.Right * Columns), 0, Columns - 1);
            int y0 = Math.Clamp((int)(b.Y * Rows), 0, Rows - 1), y1 = Math.Clamp((int)(b.Bottom * Rows), 0, Rows - 1);
            var covered = new List<int>();
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++) covered.Add(y * Columns + x);
            list.Add([.. covered]);
        }
        return list;
    }

    /// <summary>Exact box overlap of a plan, measured at every step of the synopsis.</summary>
    public static (double Fraction, int Pairs) Overlap(IReadOnlyList<Placement> placements)
    {
        if (placements.Count == 0) return (0, 0);
        var length = placements.Max(p => p.AtS + p.Tube.Length);
        double area = 0, covered = 0;
        var pairs = new HashSet<(long, long)>();
        for (double tau = 0; tau <= length + 1e-9; tau += Step)
        {
            var boxes = placements
                .Where(p => tau >= p.AtS && tau <= p.AtS + p.Tube.Length)
                .Select(p => (p.Tube.TrackId, Box: PathPoints.BoxAt(p.Tube.Path, p.Tube.FromS + tau - p.AtS)))
                .Where(x => x.Box is not null).Select(x => (x.TrackId, Box: x.Box!.Value)).ToList();
            for (int i = 0; i < boxes.Count; i++)
            {
                area += boxes[i].Box.Area;
                var hidden = 0f;
                for (int j = 0; j < boxes.Count; j++)
                {
                    if (i == j) continue;
                    var inter = boxes[i].Box.IntersectionArea(boxes[j].Box);
                    if (inter <= 0) continue;
                    hidden = Math.Max(hidden, inter);
                    pairs.Add((Math.Min(boxes[i].TrackId, boxes[j].TrackId), Math.Max(boxes[i].TrackId, boxes[j].TrackId)));
                }
                covered += hidden;
            }
        }
        return (area > 0 ? covered / area : 0, pairs.Count);
    }
}
