using OpenCvSharp;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class YoloxDecoderTests
{
    private const int Classes = 80;
    private const int Row = 5 + Classes;

    [Fact]
    public void A_416_input_has_3549_anchor_points() => Assert.Equal(3549, YoloxDecoder.AnchorCount(416, 416));

    [Fact]
    public void Decodes_hand_computed_anchors_at_strides_8_and_32()
    {
        var rows = new float[3549 * Row];
        // Stride 8, grid row 2, column 3: anchor 2 * 52 + 3.
        Set(rows, 2 * 52 + 3, x: 0.5f, y: 0.25f, w: MathF.Log(2), h: 0, obj: 0.9f, cls: 0, clsScore: 0.8f);
        // Stride 32, grid row 1, column 2: after 52² + 26² anchors of strides 8 and 16.
        Set(rows, 52 * 52 + 26 * 26 + 13 + 2, x: 0, y: 0, w: 0, h: MathF.Log(3), obj: 0.7f, cls: 43, clsScore: 0.9f);
        // Below threshold: obj × cls = 0.2.
        Set(rows, 10, x: 0, y: 0, w: 0, h: 0, obj: 0.5f, cls: 2, clsScore: 0.4f);

        var found = YoloxDecoder.Decode(rows, Classes, 416, 416, 0.3f).OrderBy(d => d.ClassId).ToList();

        Assert.Equal(2, found.Count);
        var a = found[0];
        Assert.Equal(0, a.ClassId);
        Assert.Equal(0.72f, a.Score, 4);
        // cx = (0.5 + 3) × 8 = 28, cy = (0.25 + 2) × 8 = 18, w = 2 × 8 = 16, h = 1 × 8 = 8.
        Assert.Equal(20, a.Box.X, 3);
        Assert.Equal(14, a.Box.Y, 3);
        Assert.Equal(16, a.Box.Width, 3);
        Assert.Equal(8, a.Box.Height, 3);
        var b = found[1];
        Assert.Equal(43, b.ClassId);
        Assert.Equal(0.63f, b.Score, 4);
        // cx = 2 × 32 = 64, cy = 32, w = 32, h = 96.
        Assert.Equal(48, b.Box.X, 3);
        Assert.Equal(-16, b.Box.Y, 3);
        Assert.Equal(96, b.Box.Height, 3);
    }

    [Fact]
    public void Wrong_output_size_is_a_clear_error()
    {
        var e = Assert.Throws<InvalidDataException>(() => YoloxDecoder.Decode(new float[100], Classes, 416, 416, 0.3f));
        Assert.Contains("3549 anchors", e.Message);
    }

    [Fact]
    public void Letterbox_keeps_ratio_at_top_left_and_boxes_map_back()
    {
        using var frame = new Mat(720, 1280, MatType.CV_8UC3, Scalar.All(200));
        using var canvas = new Mat();
        var fit = TensorPrep.LetterboxTopLeft(frame, canvas, 416, 416, 114);
        Assert.Equal(0.325f, fit.ScaleX, 4);
        Assert.Equal(416, canvas.Width);
        // 720 × 0.325 = 234 rows of image, then padding.
        Assert.Equal(200, canvas.At<Vec3b>(233, 100).Item0);
        Assert.Equal(114, canvas.At<Vec3b>(235, 100).Item0);
        var back = fit.ToFrame(new Vigie.Geometry.Box(41.6f, 32.5f, 13, 26));
        Assert.Equal(128, back.X, 2);
        Assert.Equal(100, back.Y, 2);
        Assert.Equal(80, back.Height, 2);
    }

    [Fact]
    public void Planar_tensor_swaps_to_rgb_and_normalises()
    {
        using var img = new Mat(1, 2, MatType.CV_8UC3);
        img.Set(0, 0, new Vec3b(10, 20, 30));
        img.Set(0, 1, new Vec3b(40, 50, 60));
        var t = new float[6];
        TensorPrep.ToPlanar(img, t, toRgb: true, scale: 1, [0, 0, 0], [1, 1, 1]);
        Assert.Equal([30, 60, 20, 50, 10, 40], t);
        TensorPrep.ToPlanar(img, t, toRgb: false, scale: 1, [10, 20, 30], [2, 2, 2]);
        Assert.Equal([0, 15, 0, 15, 0, 15], t);
    }

    private static void Set(float[] rows, int anchor, float x, float y, float w, float h, float obj, int cls, float clsScore)
    {
        var o = anchor * Row;
        rows[o] = x;
        rows[o + 1] = y;
        rows[o + 2] = w;
        rows[o + 3] = h;
        rows[o + 4] = obj;
        rows[o + 5 + cls] = clsScore;
    }
}
