namespace Vigie.Geometry;

/// <summary>An axis-aligned box in pixels: top-left corner and size.</summary>
public readonly record struct Box(float X, float Y, float Width, float Height)
{
    public float Right => X + Width;
    public float Bottom => Y + Height;
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);
    public Point2 Center => new(X + Width / 2, Y + Height / 2);

    /// <summary>Where a person or vehicle touches the ground: zones and lines are judged at the feet.</summary>
    public Point2 BottomCenter => new(X + Width / 2, Bottom);

    public static Box FromCorners(float x1, float y1, float x2, float y2) => new(x1, y1, x2 - x1, y2 - y1);

    /// <summary>The box grown by this fraction of its size on every side, about the same centre.</summary>
    public Box Grown(float fraction) => new(X - fraction * Width, Y - fraction * Height, (1 + 2 * fraction) * Width, (1 + 2 * fraction) * Height);

    public float IntersectionArea(Box other)
    {
        var w = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        var h = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        return w <= 0 || h <= 0 ? 0 : w * h;
    }

    /// <summary>How much of this box the other boxes cover together, where they overlap one another counted once. Pure.</summary>
    public float CoveredArea(IEnumerable<Box> others)
    {
        var self = this;
        var parts = others.Select(o => FromCorners(Math.Max(self.X, o.X), Math.Max(self.Y, o.Y), Math.Min(self.Right, o.Right), Math.Min(self.Bottom, o.Bottom)))
            .Where(p => p.Width > 0 && p.Height > 0).ToList();
        var edges = parts.SelectMany(p => new[] { p.X, p.Right }).Distinct().Order().ToList();
        float covered = 0;
        // Strip by strip between the parts' vertical edges: in each, the union of the spans of the parts crossing it.
        for (int i = 0; i + 1 < edges.Count; i++)
        {
            float spans = 0, bottom = 0;
            float? top = null;
            foreach (var p in parts.Where(p => p.X <= edges[i] && p.Right >= edges[i + 1]).OrderBy(p => p.Y))
            {
                if (top is not null && p.Y <= bottom)
                {
                    bottom = Math.Max(bottom, p.Bottom);
                    continue;
                }
                if (top is { } previous) spans += bottom - previous;
                (top, bottom) = (p.Y, p.Bottom);
            }
            if (top is { } last) spans += bottom - last;
            covered += spans * (edges[i + 1] - edges[i]);
        }
        return covered;
    }

    /// <summary>How much of the smaller of the two boxes the other covers (0..1): 1 when one lies inside the other. Pure.</summary>
    public float OverlapOfSmaller(Box other)
    {
        var smaller = Math.Min(Area, other.Area);
        return smaller <= 0 ? 0 : IntersectionArea(other) / smaller;
    }

    public float IoU(Box other)
    {
        var inter = IntersectionArea(other);
        var union = Area + other.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }

    public Box ClampTo(int width, int height)
    {
        var x1 = Math.Clamp(X, 0, width);
        var y1 = Math.Clamp(Y, 0, height);
        var x2 = Math.Clamp(Right, 0, width);
        var y2 = Math.Clamp(Bottom, 0, height);
        return FromCorners(x1, y1, x2, y2);
    }

    public Box Scale(float sx, float sy) => new(X * sx, Y * sy, Width * sx, Height * sy);
}

public readonly record struct Point2(float X, float Y)
{
    public static Point2 operator -(Point2 a, Point2 b) => new(a.X - b.X, a.Y - b.Y);
    public static Point2 operator +(Point2 a, Point2 b) => new(a.X + b.X, a.Y + b.Y);
    public static Point2 operator *(Point2 a, float k) => new(a.X * k, a.Y * k);
    public float Length => MathF.Sqrt(X * X + Y * Y);
}
