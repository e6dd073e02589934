using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using Vigie.Perception;
using static Vigie.Tests.Perception.OnnxGraph;

namespace Vigie.Tests.Perception;

/// <summary>Letterboxed models run on the frame's own shape instead of the whole square (detector.trim_padding).</summary>
public class TrimmedPaddingTests
{
    [Theory]
    [InlineData(1280, 720, 416, 288)]   // 16:9: 416 × 234 of picture, 32 of padding, rounded up to 32
    [InlineData(406, 720, 288, 416)]    // portrait phone video
    [InlineData(640, 640, 416, 416)]    // square: nothing to trim
    [InlineData(1920, 400, 416, 128)]   // very wide
    public void The_trimmed_input_holds_the_frame_at_the_same_scale_and_a_stride_of_padding(int frameWidth, int frameHeight, int width, int height)
    {
        Assert.Equal((width, height), TensorPrep.TrimmedLetterbox(frameWidth, frameHeight, 416, 416, 32, 32));
        using var frame = new Mat(frameHeight, frameWidth, MatType.CV_8UC3, Scalar.All(90));
        using var canvas = new Mat();
        var whole = TensorPrep.LetterboxTopLeft(frame, canvas, 416, 416, 114);
        var trimmed = TensorPrep.LetterboxTopLeft(frame, canvas, width, height, 114);
        Assert.Equal(whole, trimmed);
    }

    [Fact]
    public void A_model_exported_for_one_size_is_freed_and_detects_on_the_frame_shape()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "fixed.onnx");
        BrightnessDetector(path, pinnedShape: null);

        using (var original = OnnxSessions.Open(path, 1))
            Assert.Equal([1, 3, 128, 128], original.InputMetadata["input"].Dimensions);
        using (var freed = OnnxSessions.Open(FreeImageSize.Of(File.ReadAllBytes(path), "input"), 1))
        {
            Assert.Equal([1, 3, -1, -1], freed.InputMetadata["input"].Dimensions);
            Assert.Equal([FreeImageSize.HeightName, FreeImageSize.WidthName], freed.InputMetadata["input"].SymbolicDimensions[2..]);
        }

        using var trimmed = new OnnxDetector(Options(path));
        using var square = new OnnxDetector(Options(path) with { TrimPadding = false });
        Assert.EndsWith("padding trimmed to the frame's shape", trimmed.Description);
        // A white frame four times as wide as high fills 128 × 32 of the input: half of a trimmed 128 × 64
        // input, a quarter of the square, so the model (the input's mean brightness) scores it higher trimmed.
        using var bright = new Mat(64, 256, MatType.CV_8UC3, Scalar.All(255));
        var onTrimmed = Assert.Single(trimmed.Detect(bright)).Score;
        var onSquare = Assert.Single(square.Detect(bright)).Score;
        Assert.True(onTrimmed > onSquare + 0.05, $"trimmed {onTrimmed:0.00}, square {onSquare:0.00}");
    }

    [Theory]
    [InlineData(128, 128)]   // both sides written into a layer
    [InlineData(1, 128)]     // only the width: landscape frames would run, portrait ones would not
    public void A_model_whose_layers_need_its_size_keeps_the_whole_square(int height, int width)
    {
        var path = Path.Combine(TestPaths.TempFolder(), "pinned.onnx");
        BrightnessDetector(path, pinnedShape: [1, 1, height, width]);

        using var detector = new OnnxDetector(Options(path));
        Assert.DoesNotContain("trimmed", detector.Description);
        using var bright = new Mat(64, 256, MatType.CV_8UC3, Scalar.All(255));
        Assert.Single(detector.Detect(bright));
    }

    [Fact]
    public void Yolox_on_the_frame_shape_finds_the_people_it_finds_on_the_whole_square()
    {
        var model = TestPaths.Model("yolox_nano.onnx");
        using var square = new OnnxDetector(new OnnxModelOptions(model, ModelFormat.Yolox, 416, 416, 0.3f, 0.45f, 1, ClassMaps.Coco80) { TrimPadding = false });
        using var trimmed = new OnnxDetector(new OnnxModelOptions(model, ModelFormat.Yolox, 416, 416, 0.3f, 0.45f, 1, ClassMaps.Coco80));
        Assert.EndsWith("padding trimmed to the frame's shape", trimmed.Description);
        Assert.DoesNotContain("trimmed", square.Description);

        int peopleSquare = 0, peopleTrimmed = 0, matched = 0;
        foreach (var clip in new[] { "pedestrians/vtest.avi", "fall/room_fall05.mp4" })
        {
            using var capture = new VideoCapture(TestPaths.Clip(clip));
            using var frame = new Mat();
            for (int i = 0; i < 200 && capture.Read(frame); i++)
            {
                if (i % 25 != 0) continue;
                var a = square.Detect(frame).Where(d => d.Category == Category.Person && d.Score >= 0.5).ToList();
                var b = trimmed.Detect(frame).Where(d => d.Category == Category.Person && d.Score >= 0.5).ToList();
                peopleSquare += a.Count;
                peopleTrimmed += b.Count;
                matched += a.Count(p => b.Any(q => q.Box.IoU(p.Box) >= 0.7));
            }
        }
        Assert.True(peopleSquare >= 100, $"only {peopleSquare} people on the whole square");
        Assert.InRange(peopleTrimmed, peopleSquare * 0.95, peopleSquare * 1.05);
        Assert.True(matched >= peopleSquare * 0.9, $"{matched} of {peopleSquare} people found again at IoU ≥ 0.7");
    }

    private static OnnxModelOptions Options(string path) =>
        new(path, ModelFormat.Rtmdet, 128, 128, 0.3f, 0.45f, 1, ["bright"]);

    /// <summary>
    /// An RTMDet-format model exported for a 128 × 128 input: one detection over the top-left 32 × 32, scored
    /// sigmoid(mean) of the normalised input (white about 2.4, padding about 0, black about −2). Pinned, it
    /// first adds a constant of <paramref name="pinnedShape"/> (zeros) to its input, which only broadcasts
    /// over an input of that height (or any, for 1) and width, as a layer with a size written in would.
    /// </summary>
    private static void BrightnessDetector(string path, int[]? pinnedShape)
    {
        var graph = new Proto();
        var image = "input";
        if (pinnedShape is not null)
        {
            graph.Message(1, Node(["input", "pinned_zeros"], ["pinned"], "Add"))
                .Message(5, FloatTensor("pinned_zeros", pinnedShape.Select(d => (long)d).ToArray(), new float[pinnedShape.Aggregate(1, (a, d) => a * d)]));
            image = "pinned";
        }
        graph.Message(1, Node([image], ["mean"], "ReduceMean", Ints("axes", 1, 2, 3), Int("keepdims", 0)))
            .Message(1, Node(["mean"], ["sigmoid"], "Sigmoid"))
            .Message(1, Node(["sigmoid", "score_shape"], ["score"], "Reshape"))
            .Message(1, Node(["box", "score"], ["dets"], "Concat", Int("axis", 2)))
            .Message(1, Node(["label"], ["labels"], "Identity"))
            .String(2, "brightness")
            .Message(5, Int64Tensor("score_shape", [3], 1, 1, 1))
            .Message(5, FloatTensor("box", [1, 1, 4], 0, 0, 32, 32))
            .Message(5, Int64Tensor("label", [1, 1], 0))
            .Message(11, Value("input", Float, [1, 3, 128, 128]))
            .Message(12, Value("dets", Float, [1, 1, 5]))
            .Message(12, Value("labels", Int64Type, [1, 1]));
        Save(path, graph);
    }
}
