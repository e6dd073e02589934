using OpenCvSharp;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

/// <summary>Every model format of ../shared/models decodes to the same people as the reference detector.</summary>
public class ModelFormatTests
{
    private static readonly Lazy<List<Mat>> Frames = new(() =>
    {
        using var capture = new VideoCapture(TestPaths.Clip("intrusion/table_zone_one_by_one.mp4"));
        var frames = new List<Mat>();
        for (int i = 0; i < 1400 && frames.Count < 12; i++)
        {
            var m = new Mat();
            capture.Read(m);
            if (i % 100 == 70) frames.Add(m);
            else m.Dispose();
        }
        return frames;
    });

    [Theory]
    [InlineData("yolox_nano.onnx", ModelFormat.Yolox, 416, 416)]
    [InlineData("picodet_s_416_coco.onnx", ModelFormat.Picodet, 416, 416)]
    [InlineData("nanodet_m_416.onnx", ModelFormat.Nanodet, 416, 416)]
    [InlineData("rtmdet_nano_person.onnx", ModelFormat.Rtmdet, 640, 640)]
    public void Each_format_finds_the_people_the_reference_model_finds(string file, ModelFormat format, int w, int h)
    {
        using var reference = new OnnxDetector(new OnnxModelOptions(TestPaths.Model("deimv2_femto_coco.onnx"), ModelFormat.Deimv2, 416, 416, 0.45f, 0.45f, 1, ClassMaps.Coco80));
        var classes = format == ModelFormat.Rtmdet ? ClassMaps.PersonOnly : ClassMaps.Coco80;
        using var detector = new OnnxDetector(new OnnxModelOptions(TestPaths.Model(file), format, w, h, 0.35f, 0.45f, 1, classes));
        var overlaps = new List<double>();
        foreach (var frame in Frames.Value)
        {
            var people = detector.Detect(frame).Where(d => d.Category == Category.Person).ToList();
            foreach (var truth in reference.Detect(frame).Where(d => d.Category == Category.Person))
                overlaps.Add(people.Count == 0 ? 0 : people.Max(p => p.Box.IoU(truth.Box)));
        }
        Assert.True(overlaps.Count >= 8, "the reference should see the person in most sampled frames");
        Assert.True(overlaps.Average() >= 0.75, $"{file}: mean IoU with the reference {overlaps.Average():0.00}");
    }

    [Fact]
    public void A_model_of_another_format_is_rejected_with_what_is_missing()
    {
        var e = Assert.Throws<InvalidDataException>(() => new OnnxDetector(new OnnxModelOptions(TestPaths.Model("yolox_nano.onnx"),
            ModelFormat.Deimv2, 416, 416, 0.45f, 0.45f, 1, ClassMaps.Coco80)));
        Assert.Contains("does not look like a Deimv2 model", e.Message);
    }

    [Fact]
    public void Gfl_expectation_and_box_decoding_by_hand()
    {
        // All logits equal: uniform over bins 0..7, expectation 3.5.
        Assert.Equal(3.5, GflDecoder.Expectation(new float[8]), 5);
        // One point at stride 8 (grid 2 wide), one class scoring 0.9; distances: bin 2 dominant on every side.
        var scores = new float[] { 0.1f, 0.9f };   // points 0 and 1, one class each
        var distances = new float[2 * 32];
        for (int side = 0; side < 4; side++) distances[32 + side * 8 + 2] = 50; // point 1: distance 2 bins = 16 px
        var found = new List<RawDetection>();
        GflDecoder.DecodeLevel(scores, distances, 1, 8, 16, 0.5f, applySigmoid: false, 0.5f, found);
        var d = Assert.Single(found);
        // Point 1 is column 1, row 0: centre (12, 4); 16 px each side.
        Assert.Equal(-4, d.Box.X, 3);
        Assert.Equal(-12, d.Box.Y, 3);
        Assert.Equal(32, d.Box.Width, 3);
    }
}
