using Vigie.Geometry;

namespace Vigie.Tracking;

/// <summary>
/// Constant-velocity Kalman filter over (centre x, centre y, aspect w/h, height) and their rates, as in
/// SORT/ByteTrack. Time steps are in seconds so irregular frame gaps (dropped live frames) predict right.
/// Noise scales with the box height, so near and far objects are treated alike.
/// </summary>
public sealed class KalmanBoxFilter
{
    // Standard deviations relative to height, per second of motion (ByteTrack's per-frame values × ~25 fps).
    private const double PositionStd = 1.0 / 20;
    private const double VelocityStd = 1.0 / 160 * 25;
    private const int Dim = 8;

    private readonly double[] _x = new double[Dim];
    private readonly double[,] _p = new double[Dim, Dim];

    public KalmanBoxFilter(Box box)
    {
        var z = Measure(box);
        for (int i = 0; i < 4; i++) _x[i] = z[i];
        var h = z[3];
        double[] std = [2 * PositionStd * h, 2 * PositionStd * h, 1e-2, 2 * PositionStd * h,
                        10 * VelocityStd * h, 10 * VelocityStd * h, 1e-5 * 25, 10 * VelocityStd * h];
        for (int i = 0; i < Dim; i++) _p[i, i] = std[i] * std[i];
    }

    public Box Box
    {
        get
        {
            var h = Math.Max(1e-3, _x[3]);
            var w = Math.Max(1e-3, _x[2] * h);
            return new Box((float)(_x[0] - w / 2), (float)(_x[1] - h / 2), (float)w, (float)h);
        }
    }

    /// <summary>Velocity of the box centre in pixels per second.</summary>
    public Point2 Velocity => new((float)_x[4], (float)_x[5]);

    public void Predict(double dt)
    {
        if (dt <= 0) return;
        var h = _x[3];
        for (int i = 0; i < 4; i++) _x[i] += _x[i + 4] * dt;
        // P = F P Fᵀ + Q with F = [[I, dt I], [0, I]].
        var f = Identity();
        for (int i = 0; i < 4; i++) f[i, i + 4] = dt;
        var fp = Mul(f, _p);
        var fpft = MulTransposed(fp, f);
        double[] q = [PositionStd * h, PositionStd * h, 1e-2, PositionStd * h,
                      VelocityStd * h, VelocityStd * h, 1e-5 * 25, VelocityStd * h];
        for (int i = 0; i < Dim; i++)
            for (int j = 0; j < Dim; j++)
                _p[i, j] = fpft[i, j] + (i == j ? q[i] * q[i] * dt : 0);
    }

    /// <summary>
    /// Moves the estimate with the camera's view (BoT-SORT's camera-motion compensation): the centre moves as a still
    /// point would, the height and velocities turn and scale with the view, the uncertainty with them (P = M P Mᵀ).
    /// </summary>
    public void Follow(ViewShift view)
    {
        var centre = view.Apply(new Point2((float)_x[0], (float)_x[1]));
        var m = Identity();
        foreach (var at in new[] { 0, 4 })
        {
            (m[at, at], m[at, at + 1], m[at + 1, at], m[at + 1, at + 1]) = (view.A, -view.B, view.B, view.A);
            var (x, y) = (_x[at], _x[at + 1]);
            (_x[at], _x[at + 1]) = (view.A * x - view.B * y, view.B * x + view.A * y);
        }
        (_x[0], _x[1]) = (centre.X, centre.Y);
        var s = view.Scale;
        (m[3, 3], m[7, 7]) = (s, s);
        (_x[3], _x[7]) = (_x[3] * s, _x[7] * s);
        var moved = MulTransposed(Mul(m, _p), m);
        Array.Copy(moved, _p, moved.Length);
    }

    public void Update(Box box)
    {
        var z = Measure(box);
        var h = _x[3];
        double[] r = [PositionStd * h, PositionStd * h, 1e-1, PositionStd * h];
        // Innovation covariance S = H P Hᵀ + R, where H picks the first four state entries.
        var s = new double[4, 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                s[i, j] = _p[i, j] + (i == j ? r[i] * r[i] : 0);
        var sInv = Invert4(s);
        // Gain K = P Hᵀ S⁻¹ (8×4).
        var k = new double[Dim, 4];
        for (int i = 0; i < Dim; i++)
            for (int j = 0; j < 4; j++)
            {
                double sum = 0;
                for (int l = 0; l < 4; l++) sum += _p[i, l] * sInv[l, j];
                k[i, j] = sum;
            }
        var y = new double[4];
        for (int i = 0; i < 4; i++) y[i] = z[i] - _x[i];
        for (int i = 0; i < Dim; i++)
            for (int j = 0; j < 4; j++)
                _x[i] += k[i, j] * y[j];
        // P = (I - K H) P
        var newP = new double[Dim, Dim];
        for (int i = 0; i < Dim; i++)
            for (int j = 0; j < Dim; j++)
            {
                double sum = 0;
                for (int l = 0; l < 4; l++) sum += k[i, l] * _p[l, j];
                newP[i, j] = _p[i, j] - sum;
            }
        Array.Copy(newP, _p, newP.Length);
    }

    private static double[] Measure(Box b) =>
        [b.X + b.Width / 2.0, b.Y + b.Height / 2.0, b.Width / Math.Max(1e-3, (double)b.Height), b.Height];

    private static double[,] Identity()
    {
        var m = new double[Dim, Dim];
        for (int i = 0; i < Dim; i++) m[i, i] = 1;
        return m;
    }

    private static double[,] Mul(double[,] a, double[,] b)
    {
        var r = new double[Dim, Dim];
        for (int i = 0; i < Dim; i++)
            for (int j = 0; j < Dim; j++)
            {
                double sum = 0;
                for (int l = 0; l < Dim; l++) sum += a[i, l] * b[l, j];
                r[i, j] = sum;
            }
        return r;
    }

    private static double[,] MulTransposed(double[,] a, double[,] b)
    {
        var r = new double[Dim, Dim];
        for (int i = 0; i < Dim; i++)
            for (int j = 0; j < Dim; j++)
            {
                double sum = 0;
                for (int l = 0; l < Dim; l++) sum += a[i, l] * b[j, l];
                r[i, j] = sum;
            }
        return r;
    }

    /// <summary>Gauss-Jordan inverse of a 4×4 symmetric positive-definite matrix.</summary>
    internal static double[,] Invert4(double[,] m)
    {
        const int n = 4;
        var a = new double[n, 2 * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) a[i, j] = m[i, j];
            a[i, n + i] = 1;
        }
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            if (Math.Abs(a[pivot, c]) < 1e-12) throw new InvalidOperationException("singular innovation covariance");
            if (pivot != c)
                for (int j = 0; j < 2 * n; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            var d = a[c, c];
            for (int j = 0; j < 2 * n; j++) a[c, j] /= d;
            for (int r = 0; r < n; r++)
            {
                if (r == c) continue;
                var f = a[r, c];
                if (f == 0) continue;
                for (int j = 0; j < 2 * n; j++) a[r, j] -= f * a[c, j];
            }
        }
        var inv = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) inv[i, j] = a[i, n + j];
        return inv;
    }
}
