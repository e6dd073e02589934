using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>
/// Decodes Generalized-Focal-Loss heads (PicoDet, NanoDet): per stride, a class-score map [N, C] and a
/// distance map [N, 4 × bins] giving, for each side of the box, a distribution over distances from the
/// anchor point; the distance is its expectation × stride.
/// </summary>
public static class GflDecoder
{
    public const int Bins = 8;

    /// <param name="scores">Class scores of one stride, row-major over the grid (sigmoid applied or not, see <paramref name="applySigmoid"/>).</param>
    /// <param name="distances">Distance logits of the same stride, 4 × <see cref="Bins"/> per grid point.</param>
    public static void DecodeLevel(ReadOnlySpan<float> scores, ReadOnlySpan<float> distances, int classes, int stride,
        int inputWidth, float scoreThreshold, bool applySigmoid, float centreOffset, List<RawDetection> result)
    {
        var points = scores.Length / classes;
        var gw = (int)Math.Ceiling(inputWidth / (double)stride);
        Span<float> side = stackalloc float[4];
        for (int i = 0; i < points; i++)
        {
            var row = scores.Slice(i * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            var score = applySigmoid ? 1 / (1 + MathF.Exp(-row[best])) : row[best];
            if (score < scoreThreshold) continue;
            var d = distances.Slice(i * 4 * Bins, 4 * Bins);
            for (int s = 0; s < 4; s++) side[s] = Expectation(d.Slice(s * Bins, Bins)) * stride;
            var cx = (i % gw + centreOffset) * stride;
            var cy = (i / gw + centreOffset) * stride;
            result.Add(new RawDetection(Box.FromCorners(cx - side[0], cy - side[1], cx + side[2], cy + side[3]), best, score));
        }
    }

    /// <summary>Softmax over the bins, then the expected bin index.</summary>
    public static float Expectation(ReadOnlySpan<float> logits)
    {
        var max = float.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        float sum = 0, weighted = 0;
        for (int k = 0; k < logits.Length; k++)
        {
            var e = MathF.Exp(logits[k] - max);
            sum += e;
            weighted += e * k;
        }
        return weighted / sum;
    }
}
