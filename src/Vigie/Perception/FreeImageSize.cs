using Google.Protobuf;

namespace Vigie.Perception;

/// <summary>
/// Rewrites an ONNX model so that its image input takes any height and width. Many detectors are
/// exported with a fixed square input although their layers work on any size; a letterboxed 16:9
/// frame then fills only 56 % of the square and the network spends the rest on padding. Only the
/// declared shapes change (field numbers from onnx.proto): the graph's own layers decide whether
/// another size runs, so the caller must try it and keep the original when it does not.
/// </summary>
public static class FreeImageSize
{
    private const int ModelGraph = 7;
    private const int GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
    private const int ValueInfoName = 1, ValueInfoType = 2;
    private const int TypeTensor = 1, TensorShape = 2, ShapeDim = 1, DimParam = 2;

    /// <summary>Names given to the freed height and width.</summary>
    public const string HeightName = "height", WidthName = "width";

    /// <summary>
    /// The model with the last two dimensions of <paramref name="imageInput"/> made free. The outputs'
    /// declared shapes and the intermediate shapes stored by the exporter are dropped, as they were
    /// worked out for the fixed size; ONNX Runtime infers them again.
    /// </summary>
    public static byte[] Of(byte[] model, string imageInput) =>
        Edit(model, field => field == ModelGraph, (_, graph) => EditGraph(graph, imageInput));

    private static byte[] EditGraph(byte[] graph, string imageInput) =>
        Edit(graph, field => field is GraphInput or GraphOutput or GraphValueInfo, (field, value) => field switch
        {
            GraphInput when NameOf(value) == imageInput => EditShape(value, FreeLastTwo),
            GraphInput => value,
            GraphOutput => EditShape(value, _ => null),
            _ => null,
        });

    /// <summary>Applies <paramref name="editShape"/> to a value's tensor shape (null removes the shape).</summary>
    private static byte[] EditShape(byte[] valueInfo, Func<byte[], byte[]?> editShape) =>
        Edit(valueInfo, field => field == ValueInfoType, (_, type) =>
            Edit(type, field => field == TypeTensor, (_, tensor) =>
                Edit(tensor, field => field == TensorShape, (_, shape) => editShape(shape))));

    private static byte[] FreeLastTwo(byte[] shape)
    {
        var dims = 0;
        var freed = Edit(shape, field => field == ShapeDim, (_, dim) => dims++ switch
        {
            2 => Named(HeightName),
            3 => Named(WidthName),
            _ => dim,
        });
        return dims == 4 ? freed
            : throw new InvalidDataException($"the image input has {dims} dimensions, not 4 (batch, channels, height, width)");
    }

    private static byte[] Named(string parameter)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            output.WriteTag(DimParam, WireFormat.WireType.LengthDelimited);
            output.WriteString(parameter);
        }
        return buffer.ToArray();
    }

    private static string? NameOf(byte[] valueInfo)
    {
        string? name = null;
        Edit(valueInfo, field => field == ValueInfoName, (_, value) =>
        {
            name = System.Text.Encoding.UTF8.GetString(value);
            return value;
        });
        return name;
    }

    /// <summary>
    /// Copies a protobuf message field by field. The length-delimited fields <paramref name="edits"/> picks go
    /// through <paramref name="edit"/>, which returns their new bytes or null to leave them out; every other
    /// field (the weights among them) is copied as it stands.
    /// </summary>
    private static byte[] Edit(byte[] message, Func<int, bool> edits, Func<int, byte[], byte[]?> edit)
    {
        var input = new CodedInputStream(message);
        using var output = new MemoryStream(message.Length);
        while (true)
        {
            var start = (int)input.Position;
            var tag = input.ReadTag();
            if (tag == 0) break;
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited && edits(WireFormat.GetTagFieldNumber(tag)))
            {
                if (edit(WireFormat.GetTagFieldNumber(tag), input.ReadBytes().ToByteArray()) is { } kept)
                {
                    using (var header = new CodedOutputStream(output, leaveOpen: true))
                    {
                        header.WriteTag(tag);
                        header.WriteLength(kept.Length);
                    }
                    output.Write(kept);
                }
            }
            else
            {
                input.SkipLastField();
                output.Write(message, start, (int)input.Position - start);
            }
        }
        return output.ToArray();
    }
}
