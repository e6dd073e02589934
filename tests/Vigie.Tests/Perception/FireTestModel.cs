using static Vigie.Tests.Perception.OnnxGraph;

namespace Vigie.Tests.Perception;

/// <summary>
/// A small but real ONNX fire detector for tests (no fire model is in ../shared/models), in the RTMDet
/// output format: one detection of class 0 ("fire") over a fixed box of the input, scored by how much
/// redder than green the whole picture is (sigmoid(8 · (mean R − mean G) − 2) on the normalised input):
/// an orange frame scores about 1, a grey one about 0.05. Enough to drive the fire model slot for real.
/// </summary>
public static class FireTestModel
{
    /// <summary>The box every detection has, in input pixels of a 640 × 640 input: the top-left quarter.</summary>
    public static readonly float[] Box = [0, 0, 320, 320];

    public static string Write(string folder)
    {
        var path = Path.Combine(folder, "fire.onnx");
        Save(path, new Proto()
            .Message(1, Node(["input"], ["mean"], "ReduceMean", Ints("axes", 2, 3), Int("keepdims", 1)))
            .Message(1, Node(["mean", "red_channel"], ["red"], "Gather", Int("axis", 1)))
            .Message(1, Node(["mean", "green_channel"], ["green"], "Gather", Int("axis", 1)))
            .Message(1, Node(["red", "green"], ["redder"], "Sub"))
            .Message(1, Node(["redder", "gain"], ["scaled"], "Mul"))
            .Message(1, Node(["scaled", "bias"], ["logit"], "Add"))
            .Message(1, Node(["logit"], ["score"], "Sigmoid"))
            .Message(1, Node(["box", "score"], ["dets"], "Concat", Int("axis", 2)))
            .Message(1, Node(["label"], ["labels"], "Identity"))
            .String(2, "fire_test")
            // BGR input: red is channel 2, green channel 1.
            .Message(5, Int64Tensor("red_channel", [], 2))
            .Message(5, Int64Tensor("green_channel", [], 1))
            .Message(5, FloatTensor("gain", [], 8))
            .Message(5, FloatTensor("bias", [], -2))
            .Message(5, FloatTensor("box", [1, 1, 4], Box))
            .Message(5, Int64Tensor("label", [1, 1], 0))
            .Message(11, Value("input", Float, [1, 3, "height", "width"]))
            .Message(12, Value("dets", Float, [1, 1, 5]))
            .Message(12, Value("labels", Int64Type, [1, 1])));
        return path;
    }
}
