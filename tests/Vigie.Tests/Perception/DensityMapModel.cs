using Vigie.Perception;
using static Vigie.Tests.Perception.OnnxGraph;

namespace Vigie.Tests.Perception;

/// <summary>
/// A small but real ONNX crowd-counting model for tests (no such model is in ../shared/models): it reads
/// an image as DM-Count does (RGB, ImageNet-normalised, [1, 3, height, width] with free sizes) and outputs
/// a density map at 1/8 of the input, [1, 1, height/8, width/8], in which every white square of
/// <c>personSide</c> × <c>personSide</c> input pixels sums to one person and dark pixels to nothing.
/// Graph: mean over channels → ReLU → 8×8 average pool → × constant.
/// </summary>
public static class DensityMapModel
{
    public static void Write(string path, int personSide, IReadOnlyList<long>? fixedInput = null)
    {
        // A white pixel after normalisation, averaged over the three channels; dark pixels go negative and ReLU drops them.
        var white = Enumerable.Range(0, 3).Average(c => (1 - TensorPrep.ImageNetMeanRgb[c]) / TensorPrep.ImageNetStdRgb[c]);
        var perPerson = (float)(64 / (white * personSide * personSide));
        Save(path, new Proto()
            .Message(1, Node(["input"], ["grey"], "ReduceMean", Ints("axes", 1), Int("keepdims", 1)))
            .Message(1, Node(["grey"], ["bright"], "Relu"))
            .Message(1, Node(["bright"], ["pooled"], "AveragePool", Ints("kernel_shape", 8, 8), Ints("strides", 8, 8)))
            .Message(1, Node(["pooled", "per_person"], ["density"], "Mul"))
            .String(2, "density_map_test")
            .Message(5, FloatTensor("per_person", [], perPerson))
            .Message(11, Value("input", Float, fixedInput is [_, _, var h, var w] ? [1, 3, h, w] : [1, 3, "height", "width"]))
            .Message(12, Value("density", Float, [1, 1, "rows", "columns"])));
    }
}
