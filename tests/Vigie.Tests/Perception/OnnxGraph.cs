using System.Text;

namespace Vigie.Tests.Perception;

/// <summary>
/// Writes small ONNX models by hand for tests (field numbers from onnx.proto), so the model slots can be
/// run for real by ONNX Runtime without any model file in reach or any ONNX tooling.
/// </summary>
internal static class OnnxGraph
{
    public const int Float = 1, Int64Type = 7;

    public static Proto Node(string[] inputs, string[] outputs, string op, params Proto[] attributes)
    {
        var node = new Proto();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in outputs) node.String(2, o);
        node.String(3, $"{op.ToLowerInvariant()}_{string.Join("_", outputs)}").String(4, op);
        foreach (var a in attributes) node.Message(5, a);
        return node;
    }

    public static Proto Ints(string name, params long[] values)
    {
        var a = new Proto().String(1, name);
        foreach (var v in values) a.Int(8, v);
        return a.Int(20, 7);
    }

    public static Proto Int(string name, long value) => new Proto().String(1, name).Int(3, value).Int(20, 2);

    public static Proto FloatTensor(string name, long[] dims, params float[] values) =>
        Tensor(name, dims, Float, t => { foreach (var v in values) t.Fixed32(4, v); });

    public static Proto Int64Tensor(string name, long[] dims, params long[] values) =>
        Tensor(name, dims, Int64Type, t => { foreach (var v in values) t.Int(7, v); });

    private static Proto Tensor(string name, long[] dims, int elementType, Action<Proto> writeValues)
    {
        var t = new Proto();
        foreach (var d in dims) t.Int(1, d);
        t.Int(2, elementType);
        writeValues(t);
        return t.String(8, name);
    }

    /// <summary>A graph input or output: dims are numbers or names of free sizes.</summary>
    public static Proto Value(string name, int elementType, object[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims)
            shape.Message(1, d is string param ? new Proto().String(2, param) : new Proto().Int(1, Convert.ToInt64(d)));
        var tensor = new Proto().Int(1, elementType).Message(2, shape);
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensor));
    }

    /// <summary>A model of IR version 7, opset 13, around this graph.</summary>
    public static void Save(string path, Proto graph) =>
        File.WriteAllBytes(path, new Proto().Int(1, 7).String(2, "vigie-tests").Message(7, graph).Message(8, new Proto().String(1, "").Int(2, 13)).ToArray());

    /// <summary>The few protobuf wire types an ONNX model needs.</summary>
    internal sealed class Proto
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
