namespace Vigie.Geometry;

/// <summary>
/// How the camera's view moved between two frames, as a similarity in pixels (a pan or tilt shifts it, a zoom
/// scales it, a turn rotates it): x' = A·x − B·y + Tx, y' = B·x + A·y + Ty maps where a still thing was seen on the
/// earlier frame to where it is seen on the later one.
/// </summary>
public readonly record struct ViewShift(double A, double B, double Tx, double Ty)
{
    public double Scale => Math.Sqrt(A * A + B * B);

    /// <summary>The turn, in radians.</summary>
    public double Rotation => Math.Atan2(B, A);

    public Point2 Apply(Point2 p) => new((float)(A * p.X - B * p.Y + Tx), (float)(B * p.X + A * p.Y + Ty));

    /// <summary>A velocity or other difference of positions: turned and scaled, not shifted.</summary>
    public Point2 ApplyToVector(Point2 v) => new((float)(A * v.X - B * v.Y), (float)(B * v.X + A * v.Y));

    /// <summary>The box where a still thing in it is seen after the move: its centre moved, its size scaled (boxes stay upright).</summary>
    public Box Apply(Box b)
    {
        var c = Apply(b.Center);
        var s = (float)Scale;
        return new Box(c.X - s * b.Width / 2, c.Y - s * b.Height / 2, s * b.Width, s * b.Height);
    }

    /// <summary>Whether the view moved by more than this share of the frame's height, or scaled or turned by more than this fraction.</summary>
    public bool Moves(double frameHeight, double share) =>
        Math.Abs(Tx) > share * frameHeight || Math.Abs(Ty) > share * frameHeight
        || Math.Abs(Scale - 1) > share || Math.Abs(Rotation) > share;
}
