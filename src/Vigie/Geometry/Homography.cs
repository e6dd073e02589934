namespace Vigie.Geometry;

/// <summary>
/// A plane-to-plane projective mapping (3×3, h33 = 1), e.g. from normalised image coordinates to ground
/// metres. Built from four point pairs; pure arithmetic, no image library.
/// </summary>
public sealed class Homography
{
    private readonly double[] _h;

    private Homography(double[] h) => _h = h;

    /// <summary>
    /// Solves for the mapping of four source points onto four destination points. Returns null when
    /// three of the source (or destination) points are collinear: no unique mapping exists.
    /// </summary>
    public static Homography? FromPoints(IReadOnlyList<Point2> source, IReadOnlyList<Point2> destination)
    {
        if (source.Count != 4 || destination.Count != 4) throw new ArgumentException("a homography needs exactly four point pairs");
        if (HasCollinearTriple(source) || HasCollinearTriple(destination)) return null;
        var a = new double[8, 9];
        for (int i = 0; i < 4; i++)
        {
            double x = source[i].X, y = source[i].Y, u = destination[i].X, v = destination[i].Y;
            double[] r1 = [x, y, 1, 0, 0, 0, -u * x, -u * y, u];
            double[] r2 = [0, 0, 0, x, y, 1, -v * x, -v * y, v];
            for (int j = 0; j < 9; j++)
            {
                a[2 * i, j] = r1[j];
                a[2 * i + 1, j] = r2[j];
            }
        }
        var solution = Solve(a);
        return solution is null ? null : new Homography([.. solution, 1]);
    }

    public Point2 Map(Point2 p)
    {
        var w = _h[6] * p.X + _h[7] * p.Y + _h[8];
        return new Point2((float)((_h[0] * p.X + _h[1] * p.Y + _h[2]) / w), (float)((_h[3] * p.X + _h[4] * p.Y + _h[5]) / w));
    }

    /// <summary>Area of a polygon after mapping (e.g. square metres of a zone drawn on the image).</summary>
    public double MappedArea(IReadOnlyList<Point2> polygon) =>
        Math.Abs(Shapes.SignedArea2(polygon.Select(Map).ToList())) / 2;

    public static bool HasCollinearTriple(IReadOnlyList<Point2> p)
    {
        for (int i = 0; i < p.Count; i++)
            for (int j = i + 1; j < p.Count; j++)
                for (int k = j + 1; k < p.Count; k++)
                {
                    var cross = (p[j].X - p[i].X) * (double)(p[k].Y - p[i].Y) - (p[j].Y - p[i].Y) * (double)(p[k].X - p[i].X);
                    var scale = Math.Max(1e-9, (p[j] - p[i]).Length * (p[k] - p[i]).Length);
                    if (Math.Abs(cross) / scale < 1e-3) return true;
                }
        return false;
    }

    /// <summary>Gauss-Jordan elimination with partial pivoting on an n × (n+1) augmented matrix.</summary>
    private static double[]? Solve(double[,] a)
    {
        int n = a.GetLength(0);
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            if (Math.Abs(a[pivot, c]) < 1e-12) return null;
            if (pivot != c)
                for (int j = 0; j <= n; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            for (int r = 0; r < n; r++)
            {
                if (r == c) continue;
                var f = a[r, c] / a[c, c];
                if (f == 0) continue;
                for (int j = c; j <= n; j++) a[r, j] -= f * a[c, j];
            }
        }
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = a[i, n] / a[i, i];
        return x;
    }
}
