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
        Edit(ByteString.CopyFrom(model), (field, graph) => field == ModelGraph ? EditGraph(graph, imageInput) : graph).ToByteArray();

    private static ByteString EditGraph(ByteString graph, string imageInput) => Edit(graph, (field, value) => field switch
    {
        GraphInput when NameOf(value) == imageInput => EditShape(value, FreeLastTwo),
        GraphOutput => EditShape(value, _ => null),
        GraphValueInfo => null,
        _ => value,
    });

    /// <summary>Applies <paramref name="editShape"/> to a value's tensor shape (null removes the shape).</summary>
    private static ByteString EditShape(ByteString valueInfo, Func<ByteString, ByteString?> editShape) =>
        Edit(valueInfo, (field, type) => field != ValueInfoType ? type
            : Edit(type, (f, tensor) => f != TypeTensor ? tensor
                : Edit(tensor, (g, shape) => g == TensorShape ? editShape(shape) : shape)));

    private static ByteString FreeLastTwo(ByteString shape)
    {
        var dims = 0;
        Edit(shape, (field, dim) => { if (field == ShapeDim) dims++; return dim; });
        if (dims != 4)
            throw new InvalidDataException($"the image input has {dims} dimensions, not 4 (batch, channels, height, width)");
        var index = 0;
        return Edit(shape, (field, dim) => field != ShapeDim ? dim : index++ switch
        {
            2 => Named(HeightName),
            3 => Named(WidthName),
            _ => dim,
        });
    }

    private static ByteString Named(string parameter)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            output.WriteTag(DimParam, WireFormat.WireType.LengthDelimited);
            output.WriteString(parameter);
        }
        return ByteString.CopyFrom(buffer.ToArray());
    }

    private static string? NameOf(ByteString valueInfo)
    {
        string? name = null;
        Edit(valueInfo, (field, value) =>
        {
            if (field == ValueInfoName) name = value.ToStringUtf8();
            return value;
        });
        return name;
    }

    /// <summary>
    /// Copies a protobuf message field by field; each length-delimited field goes through
    /// <paramref name="edit"/>, which returns its new bytes or null to leave it out.
    /// </summary>
    private static ByteString Edit(ByteString message, Func<int, ByteString, ByteString?> edit)
    {
        var input = message.CreateCodedInput();
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagWireType(tag))
                {
                    case WireFormat.WireType.Varint:
                        output.WriteTag(tag);
                        output.WriteUInt64(input.ReadUInt64());
                        break;
                    case WireFormat.WireType.Fixed32:
                        output.WriteTag(tag);
                        output.WriteFixed32(input.ReadFixed32());
                        break;
                    case WireFormat.WireType.Fixed64:
                        output.WriteTag(tag);
                        output.WriteFixed64(input.ReadFixed64());
                        break;
                    case WireFormat.WireType.LengthDelimited:
                        if (edit(WireFormat.GetTagFieldNumber(tag), input.ReadBytes()) is { } kept)
                        {
                            output.WriteTag(tag);
                            output.WriteBytes(kept);
                        }
                        break;
                    default:
                        throw new InvalidDataException($"not an ONNX model: protobuf wire type {WireFormat.GetTagWireType(tag)} is not used by onnx.proto");
                }
            }
        }
        return ByteString.CopyFrom(buffer.ToArray());
    }
}
