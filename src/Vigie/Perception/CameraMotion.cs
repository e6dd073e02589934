using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>Tells the camera moving (pan, shake, zoom, turn) from things moving in front of it, on a motion field.</summary>
public static class CameraMotion
{
    /// <summary>
    /// The whole image moving as one: most cells share the median flow vector and it is not small (a pan,
    /// a shake), or nearly all cells move and one affine motion explains most of it (a zoom, a turn).
    /// </summary>
    public static bool Of(MotionField m) => IsTranslation(m) || IsAffineMotion(m);

    private static bool IsTranslation(MotionField m)
    {
        var n = m.FlowX.Length;
        if (n == 0) return false;
        var mx = Median(m.FlowX);
        var my = Median(m.FlowY);
        var median = Math.Sqrt(mx * mx + my * my);
        if (median < 0.02) return false;
        var alike = 0;
        for (int i = 0; i < n; i++)
        {
            var dx = m.FlowX[i] - mx;
            var dy = m.FlowY[i] - my;
            if (Math.Sqrt(dx * dx + dy * dy) < 0.5 * median) alike++;
        }
        return alike > 0.7 * n;
    }

    // A zoom moves nearly every textured cell; one affine motion then explains this share of the flow.
    private const double MovingShareForAffine = 0.7;
    private const double AffineExplained = 0.8;
    private const double MovingCellSpeed = 0.02;

    /// <summary>
    /// Nearly all cells move and the least-squares affine motion of the image (flow = a + B·position)
    /// explains most of the flow's energy: what a camera zooming or turning produces; a crowd moving in
    /// part of the image leaves the rest still. Pure.
    /// </summary>
    public static bool IsAffineMotion(MotionField m)
    {
        var n = m.FlowX.Length;
        if (n < 6) return false;
        // Most frames stop here: the least squares is only worth solving when nearly everything moves.
        var moving = 0;
        for (int i = 0; i < n; i++)
            if (Math.Sqrt(m.FlowX[i] * m.FlowX[i] + m.FlowY[i] * m.FlowY[i]) > MovingCellSpeed) moving++;
        if (moving < MovingShareForAffine * n) return false;
        using var positions = new Mat(n, 3, MatType.CV_64FC1);
        using var flows = new Mat(n, 2, MatType.CV_64FC1);
        for (int i = 0; i < n; i++)
        {
            positions.Set(i, 0, 1.0);
            positions.Set(i, 1, (i % m.Columns + 0.5) / m.Columns - 0.5);
            positions.Set(i, 2, (i / m.Columns + 0.5) / m.Rows - 0.5);
            flows.Set(i, 0, (double)m.FlowX[i]);
            flows.Set(i, 1, (double)m.FlowY[i]);
        }
        using var affine = new Mat();
        if (!Cv2.Solve(positions, flows, affine, DecompTypes.SVD)) return false;
        using Mat predicted = positions * affine;
        using Mat residual = flows - predicted;
        var energy = Cv2.Norm(flows, NormTypes.L2SQR);
        return energy > 0 && 1 - Cv2.Norm(residual, NormTypes.L2SQR) / energy >= AffineExplained;
    }

    private static double Median(float[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
