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
    /// <param name="onlyMap">When given ([rows, columns]), the graph reshapes its map to exactly that size, as an export
    /// whose layers only fit one input size does: any other input fails when the model runs, not when it loads.</param>
    public static void Write(string path, int personSide, IReadOnlyList<long>? fixedInput = null, IReadOnlyList<long>? onlyMap = null)
    {
        // A white pixel after normalisation, averaged over the three channels; dark pixels go negative and ReLU drops them.
        var white = Enumerable.Range(0, 3).Average(c => (1 - TensorPrep.ImageNetMeanRgb[c]) / TensorPrep.ImageNetStdRgb[c]);
        var perPerson = (float)(64 / (white * personSide * personSide));
        var graph = new Proto()
            .Message(1, Node(["input"], ["grey"], "ReduceMean", Ints("axes", 1), Int("keepdims", 1)))
            .Message(1, Node(["grey"], ["bright"], "Relu"))
            .Message(1, Node(["bright"], ["pooled"], "AveragePool", Ints("kernel_shape", 8, 8), Ints("strides", 8, 8)))
            .Message(1, Node(["pooled", "per_person"], [onlyMap is null ? "density" : "scaled"], "Mul"));
        if (onlyMap is [var rows, var columns])
            graph.Message(1, Node(["scaled", "map_shape"], ["density"], "Reshape")).Message(5, Int64Tensor("map_shape", [4], 1, 1, rows, columns));
        Save(path, graph
            .String(2, "density_map_test")
            .Message(5, FloatTensor("per_person", [], perPerson))
            .Message(11, Value("input", Float, fixedInput is [_, _, var h, var w] ? [1, 3, h, w] : [1, 3, "height", "width"]))
            .Message(12, Value("density", Float, [1, 1, "rows", "columns"])));
    }
}
