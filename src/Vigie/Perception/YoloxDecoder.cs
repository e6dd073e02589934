using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>A raw candidate from a network, before class mapping and NMS, in network input pixels.</summary>
public readonly record struct RawDetection(Box Box, int ClassId, float Score);

/// <summary>Decodes YOLOX's anchor-free head: one row per grid point of strides 8, 16 and 32.</summary>
public static class YoloxDecoder
{
    public static readonly int[] Strides = [8, 16, 32];

    public static int AnchorCount(int inputWidth, int inputHeight) =>
        Strides.Sum(s => (inputWidth / s) * (inputHeight / s));

    /// <summary>
    /// rows: [anchors × (5 + classes)] with x, y, w, h, objectness, class scores (already sigmoid).
    /// Keeps the best class of each anchor when obj × class ≥ threshold.
    /// </summary>
    public static List<RawDetection> Decode(ReadOnlySpan<float> rows, int classes, int inputWidth, int inputHeight,
        float scoreThreshold)
    {
        var stride = 5 + classes;
        var expected = AnchorCount(inputWidth, inputHeight);
        if (rows.Length != expected * stride)
            throw new InvalidDataException(
                $"YOLOX output has {rows.Length} values, expected {expected} anchors × {stride} for a {inputWidth}x{inputHeight} input");
        var result = new List<RawDetection>();
        var anchor = 0;
        foreach (var s in Strides)
        {
            int gw = inputWidth / s, gh = inputHeight / s;
            for (int row = 0; row < gh; row++)
            for (int col = 0; col < gw; col++, anchor++)
            {
                var r = rows.Slice(anchor * stride, stride);
                var obj = r[4];
                if (obj < scoreThreshold) continue;
                int best = 0;
                for (int c = 1; c < classes; c++) if (r[5 + c] > r[5 + best]) best = c;
                var score = obj * r[5 + best];
                if (score < scoreThreshold) continue;
                var cx = (r[0] + col) * s;
                var cy = (r[1] + row) * s;
                var w = MathF.Exp(r[2]) * s;
                var h = MathF.Exp(r[3]) * s;
                result.Add(new RawDetection(new Box(cx - w / 2, cy - h / 2, w, h), best, score));
            }
        }
        return result;
    }
}
