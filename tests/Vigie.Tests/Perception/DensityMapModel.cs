using System.Text;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

/// <summary>
/// Writes a small but real ONNX crowd-counting model for tests (no such model is in ../shared/models):
/// it reads an image as DM-Count does (RGB, ImageNet-normalised, [1, 3, height, width] with free sizes)
/// and outputs a density map at 1/8 of the input, [1, 1, height/8, width/8], in which every white
/// square of <c>personSide</c> × <c>personSide</c> input pixels sums to one person and dark pixels to
/// nothing. Graph: mean over channels → ReLU → 8×8 average pool → × constant. The protobuf is written
/// by hand (field numbers from onnx.proto) so the tests need no ONNX tooling.
/// </summary>
public static class DensityMapModel
{
    public static void Write(string path, int personSide, IReadOnlyList<long>? fixedInput = null)
    {
        // A white pixel after normalisation, averaged over the three channels; dark pixels go negative and ReLU drops them.
        var white = Enumerable.Range(0, 3).Average(c => (1 - TensorPrep.ImageNetMeanRgb[c]) / TensorPrep.ImageNetStdRgb[c]);
        var perPerson = (float)(64 / (white * personSide * personSide));

        var graph = new Proto()
            .Message(1, Node(["input"], ["grey"], "ReduceMean", new Proto().String(1, "axes").Int(8, 1).Int(20, 7), new Proto().String(1, "keepdims").Int(3, 1).Int(20, 2)))
            .Message(1, Node(["grey"], ["bright"], "Relu"))
            .Message(1, Node(["bright"], ["pooled"], "AveragePool",
                new Proto().String(1, "kernel_shape").Int(8, 8).Int(8, 8).Int(20, 7),
                new Proto().String(1, "strides").Int(8, 8).Int(8, 8).Int(20, 7)))
            .Message(1, Node(["pooled", "per_person"], ["density"], "Mul"))
            .String(2, "density_map_test")
            .Message(5, new Proto().Int(2, 1).Fixed32(4, perPerson).String(8, "per_person"))
            .Message(11, Value("input", fixedInput is [_, _, var h, var w] ? [1, 3, h, w] : [1, 3, "height", "width"]))
            .Message(12, Value("density", [1, 1, "rows", "columns"]));
        var model = new Proto()
            .Int(1, 7)
            .String(2, "vigie-tests")
            .Message(7, graph)
            .Message(8, new Proto().String(1, "").Int(2, 13));
        File.WriteAllBytes(path, model.ToArray());
    }

    private static Proto Node(string[] inputs, string[] outputs, string op, params Proto[] attributes)
    {
        var node = new Proto();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in outputs) node.String(2, o);
        node.String(3, op.ToLowerInvariant()).String(4, op);
        foreach (var a in attributes) node.Message(5, a);
        return node;
    }

    private static Proto Value(string name, object[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims)
            shape.Message(1, d is string param ? new Proto().String(2, param) : new Proto().Int(1, Convert.ToInt64(d)));
        var tensor = new Proto().Int(1, 1).Message(2, shape);
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensor));
    }

    /// <summary>The few protobuf wire types an ONNX model needs.</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        public Proto Int(int field, long value)
        {
            Varint((ulong)(field << 3));
            Varint((ulong)value);
            return this;
        }

        public Proto Fixed32(int field, float value)
        {
            Varint((ulong)(field << 3 | 5));
            _bytes.Write(BitConverter.GetBytes(value));
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private Proto Bytes(int field, byte[] value)
        {
            Varint((ulong)(field << 3 | 2));
            Varint((ulong)value.Length);
            _bytes.Write(value);
            return this;
        }

        private void Varint(ulong v)
        {
            while (v >= 0x80)
            {
                _bytes.WriteByte((byte)(v | 0x80));
                v >>= 7;
            }
            _bytes.WriteByte((byte)v);
        }
    }
}
