namespace Vigie.Geometry;

/// <summary>Pure plane geometry used by zones and lines; coordinates may be pixels or normalised.</summary>
public static class Shapes
{
    /// <summary>
    /// Whether the point lies inside the polygon (even-odd ray casting) or on its edge. The edge counts: a box cut by the image is
    /// clamped to it, so the feet of someone walking in from below lie exactly on the bottom edge, and a
    /// zone drawn to that edge must hold them.
    /// </summary>
    public static bool Contains(IReadOnlyList<Point2> polygon, Point2 p)
    {
        var inside = false;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            var a = polygon[i];
            var b = polygon[j];
            if (WithinToleranceOf(a, b, p)) return true;
            if ((a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X - a.X) * (p.Y - a.Y) / (b.Y - a.Y) + a.X)
                inside = !inside;
        }
        return inside;
    }

    private const float EdgeTolerance = 1e-5f;

    private static bool WithinToleranceOf(Point2 a, Point2 b, Point2 p)
    {
        var ab = b - a;
        var lengthSquared = ab.X * ab.X + ab.Y * ab.Y;
        var t = lengthSquared > 0 ? Math.Clamp(((p.X - a.X) * ab.X + (p.Y - a.Y) * ab.Y) / lengthSquared, 0, 1) : 0;
        var nearest = new Point2(a.X + t * ab.X, a.Y + t * ab.Y);
        return (p - nearest).Length <= EdgeTolerance;
    }

    /// <summary>Twice the signed area (shoelace); zero for degenerate polygons.</summary>
    public static float SignedArea2(IReadOnlyList<Point2> polygon)
    {
        float sum = 0;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
            sum += (polygon[j].X - polygon[i].X) * (polygon[j].Y + polygon[i].Y);
        return sum;
    }

    /// <summary>
    /// Which side of the directed line from→to the point lies on, in image coordinates (y down):
    /// -1 on the left of an observer standing at <c>from</c> looking at <c>to</c>, +1 on the right, 0 on it.
    /// </summary>
    public static int SideOf(Point2 from, Point2 to, Point2 p)
    {
        var cross = (to.X - from.X) * (p.Y - from.Y) - (to.Y - from.Y) * (p.X - from.X);
        return cross < 0 ? -1 : cross > 0 ? 1 : 0;
    }

    /// <summary>Indices (row-major) of the cells of a columns × rows grid over the image whose centre lies in a normalised polygon.</summary>
    public static IReadOnlyList<int> GridCellsIn(int columns, int rows, IReadOnlyList<Point2> polygon)
    {
        var cells = new List<int>();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                if (Contains(polygon, new Point2((c + 0.5f) / columns, (r + 0.5f) / rows))) cells.Add(r * columns + c);
        return cells;
    }

    /// <summary>True when segments p1-p2 and q1-q2 properly intersect or touch.</summary>
    public static bool SegmentsIntersect(Point2 p1, Point2 p2, Point2 q1, Point2 q2)
    {
        var d1 = SideOf(q1, q2, p1);
        var d2 = SideOf(q1, q2, p2);
        var d3 = SideOf(p1, p2, q1);
        var d4 = SideOf(p1, p2, q2);
        if (d1 * d2 < 0 && d3 * d4 < 0) return true;
        return (d1 == 0 && OnSegment(q1, q2, p1)) || (d2 == 0 && OnSegment(q1, q2, p2))
            || (d3 == 0 && OnSegment(p1, p2, q1)) || (d4 == 0 && OnSegment(p1, p2, q2));
    }

    private static bool OnSegment(Point2 a, Point2 b, Point2 p) =>
        p.X >= Math.Min(a.X, b.X) && p.X <= Math.Max(a.X, b.X) && p.Y >= Math.Min(a.Y, b.Y) && p.Y <= Math.Max(a.Y, b.Y);
}
