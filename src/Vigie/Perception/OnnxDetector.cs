using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>Everything needed to run one ONNX detector; built from the validated config.</summary>
public sealed record OnnxModelOptions(
    string ModelPath,
    ModelFormat Format,
    int InputWidth,
    int InputHeight,
    float ScoreThreshold,
    float NmsIou,
    int Threads,
    IReadOnlyList<string> ClassNames,
    IReadOnlyDictionary<string, Category>? CategoryOverrides = null)
{
    /// <summary>The configuration field of the input size, named when the model refuses it.</summary>
    public string InputSizeSetting { get; init; } = "detector.input_size";

    /// <summary>Letterboxed models run on the frame's own shape when they can (see OnnxDetector.TrimmablePadding).</summary>
    public bool TrimPadding { get; init; } = true;

    /// <summary>Upper bound on detections kept per frame, declared once for every format.</summary>
    public const int MaxDetectionsPerFrame = 300;
}

/// <summary>Runs a detector through ONNX Runtime (CPU) and returns detections in frame pixels.</summary>
public sealed class OnnxDetector : IDetector
{
    private static readonly float[] Zero3 = [0, 0, 0];
    private static readonly float[] One3 = [1, 1, 1];
    // MMDetection's ImageNet statistics in BGR order, as RTMDet was trained.
    private static readonly float[] MmdetMeanBgr = [103.53f, 116.28f, 123.675f];
    private static readonly float[] MmdetStdBgr = [57.375f, 57.12f, 58.395f];

    private readonly OnnxModelOptions _options;
    private readonly InferenceSession _session;
    private readonly string _imageInput;
    private readonly bool _trimsPadding;
    private readonly float[] _input;
    private readonly Mat _canvas = new();

    /// <summary>
    /// GFL anchor points sit at the centre of their grid cell: measured against DEIMv2 on real frames,
    /// person boxes agree at mean IoU 0.93 with the centre and 0.66 with the corner.
    /// </summary>
    private const float GflCentreOffset = 0.5f;

    /// <summary>Input sides must divide by the coarsest stride of the letterboxed families (YOLOX, RTMDet).</summary>
    private const int SizeMultiple = 32;

    /// <summary>
    /// Padding kept beyond a trimmed frame's edge. With none, YOLOX found 8 % fewer people (score ≥ 0.5)
    /// on portrait clips, mostly along that edge; with 32 pixels, as many as on the whole square.
    /// </summary>
    private const int KeptPadding = 32;

    public OnnxDetector(OnnxModelOptions options)
    {
        _options = options;
        _session = OnnxSessions.Open(options.ModelPath, options.Threads);
        _imageInput = ImageInputOf(_session);
        _input = new float[3 * options.InputWidth * options.InputHeight];
        try
        {
            OnnxSessions.CheckFixedInputSize(_session, _imageInput, options.ModelPath, options.InputWidth, options.InputHeight, options.InputSizeSetting);
            CheckOutputs();
            // A model with free input sizes may still refuse some: find out at start, not on a camera's first frame.
            using var probe = new Mat(options.InputHeight, options.InputWidth, MatType.CV_8UC3, Scalar.All(0));
            Detect(probe);
            if (PreprocessingOf(options.Format).Letterbox && options.TrimPadding)
                (_session, _trimsPadding) = TrimmablePadding(_session);
        }
        catch (OnnxRuntimeException e)
        {
            Dispose();
            throw new InvalidDataException(
                $"{options.ModelPath} does not run on a {options.InputWidth}x{options.InputHeight} input ({options.InputSizeSetting}): {OnnxSessions.FirstLine(e.Message)}", e);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Description =>
        $"{_options.Format.ToString().ToLowerInvariant()} {Path.GetFileName(_options.ModelPath)} {_options.InputWidth}x{_options.InputHeight}"
        + (_trimsPadding ? ", padding trimmed to the frame's shape" : "");

    private static string ImageInputOf(InferenceSession session) =>
        session.InputMetadata.First(kv => kv.Value.ElementDataType == TensorElementType.Float).Key;

    /// <summary>
    /// A letterboxed frame that is not square leaves part of the input as padding: a 16:9 frame fills 56 %
    /// of a square. Where the model runs on the frame's own shape (rounded up to the stride, plus
    /// <see cref="KeptPadding"/>) at the same scale, the rest of the padding is left out: 69 % of the
    /// square for a 16:9 frame, as "rectangular inference" does in other detectors' tools. A model
    /// exported for a fixed size is tried with its size freed; one whose layers need that size keeps it.
    /// </summary>
    private (InferenceSession Session, bool TrimsPadding) TrimmablePadding(InferenceSession session)
    {
        if (session.InputMetadata[_imageInput].Dimensions is [_, _, > 0, > 0])
        {
            InferenceSession? freed = null;
            try
            {
                freed = OnnxSessions.Open(FreeImageSize.Of(File.ReadAllBytes(_options.ModelPath), _imageInput), _options.Threads);
                if (RunsTrimmed(freed))
                {
                    session.Dispose();
                    return (freed, true);
                }
                freed.Dispose();
                return (session, false);
            }
            catch (Exception e) when (e is OnnxRuntimeException or InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
            {
                freed?.Dispose();
                return (session, false);
            }
        }
        try
        {
            return (session, RunsTrimmed(session));
        }
        catch (OnnxRuntimeException)
        {
            return (session, false);
        }
    }

    /// <summary>Whether the model runs on a landscape frame's trimmed input and on a portrait one's (half the height, half the width).</summary>
    private bool RunsTrimmed(InferenceSession session)
    {
        int Half(int side) => Math.Max(SizeMultiple, side / 2 / SizeMultiple * SizeMultiple);
        return RunsOn(session, _options.InputWidth, Half(_options.InputHeight)) && RunsOn(session, Half(_options.InputWidth), _options.InputHeight);
    }

    /// <summary>Whether the model takes a width × height input (and YOLOX gives one row per anchor point of it).</summary>
    private bool RunsOn(InferenceSession session, int width, int height)
    {
        using var image = OrtValue.CreateTensorValueFromMemory(new float[3 * width * height], [1, 3, height, width]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [_imageInput], [image], session.OutputNames);
        return _options.Format != ModelFormat.Yolox
            || outputs[0].GetTensorTypeAndShape().Shape is [_, var rows, _] && rows == YoloxDecoder.AnchorCount(width, height);
    }

    public IReadOnlyList<Detection> Detect(Mat bgrFrame)
    {
        var (fit, width, height) = Preprocess(bgrFrame);
        var shape = new long[] { 1, 3, height, width };
        using var image = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _input.AsMemory(0, 3 * width * height), shape);
        var names = new List<string> { _imageInput };
        var values = new List<OrtValue> { image };
        OrtValue? sizes = null;
        if (_options.Format == ModelFormat.Deimv2)
        {
            sizes = OrtValue.CreateTensorValueFromMemory(new long[] { bgrFrame.Width, bgrFrame.Height }, [1, 2]);
            names.Add(_session.InputMetadata.Keys.First(k => k != _imageInput));
            values.Add(sizes);
        }
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, names, values, _session.OutputNames);
            var raw = Decode(outputs, fit, width, height);
            return ToDetections(raw, bgrFrame.Width, bgrFrame.Height);
        }
        finally
        {
            sizes?.Dispose();
        }
    }

    /// <summary>How each model family expects its input: resize kind, channel order, scaling and normalisation.</summary>
    private readonly record struct Preprocessing(bool Letterbox, bool ToRgb, float Scale, float[] Mean, float[] Std);

    private static Preprocessing PreprocessingOf(ModelFormat format) => format switch
    {
        ModelFormat.Yolox => new(Letterbox: true, ToRgb: false, Scale: 1, Zero3, One3),
        ModelFormat.Deimv2 => new(Letterbox: false, ToRgb: true, Scale: 1 / 255f, Zero3, One3),
        ModelFormat.Rtmdet => new(Letterbox: true, ToRgb: false, Scale: 1, MmdetMeanBgr, MmdetStdBgr),
        ModelFormat.Picodet => new(Letterbox: false, ToRgb: true, Scale: 1 / 255f, TensorPrep.ImageNetMeanRgb, TensorPrep.ImageNetStdRgb),
        ModelFormat.Nanodet => new(Letterbox: false, ToRgb: false, Scale: 1, MmdetMeanBgr, MmdetStdBgr),
        _ => throw new NotSupportedException(format.ToString()),
    };

    private (InputFit Fit, int Width, int Height) Preprocess(Mat frame)
    {
        var (w, h) = _trimsPadding
            ? TensorPrep.TrimmedLetterbox(frame.Width, frame.Height, _options.InputWidth, _options.InputHeight, SizeMultiple, KeptPadding)
            : (_options.InputWidth, _options.InputHeight);
        var p = PreprocessingOf(_options.Format);
        var fit = p.Letterbox ? TensorPrep.LetterboxTopLeft(frame, _canvas, w, h, 114) : TensorPrep.Stretch(frame, _canvas, w, h);
        TensorPrep.ToPlanar(_canvas, _input, p.ToRgb, p.Scale, p.Mean, p.Std);
        return (fit, w, h);
    }

    /// <summary>width × height: the input this frame was given, smaller than the configured one when padding is trimmed.</summary>
    private List<RawDetection> Decode(IReadOnlyList<OrtValue> outputs, InputFit fit, int width, int height)
    {
        var names = _session.OutputNames;
        OrtValue Output(string name) => outputs[IndexOf(names, name)];
        switch (_options.Format)
        {
            case ModelFormat.Yolox:
            {
                var rows = outputs[0].GetTensorDataAsSpan<float>();
                return YoloxDecoder.Decode(rows, _options.ClassNames.Count, width, height, _options.ScoreThreshold)
                    .Select(d => d with { Box = fit.ToFrame(d.Box) }).ToList();
            }
            case ModelFormat.Deimv2:
            {
                // Boxes are already in frame pixels because the model received the frame size.
                var labels = Output("labels").GetTensorDataAsSpan<long>();
                var boxes = Output("boxes").GetTensorDataAsSpan<float>();
                var scores = Output("scores").GetTensorDataAsSpan<float>();
                var list = new List<RawDetection>();
                for (int i = 0; i < scores.Length; i++)
                    if (scores[i] >= _options.ScoreThreshold)
                        list.Add(new RawDetection(Box.FromCorners(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]),
                            (int)labels[i], scores[i]));
                return list;
            }
            case ModelFormat.Rtmdet:
            {
                var dets = Output("dets").GetTensorDataAsSpan<float>();
                var labelsValue = Output("labels");
                var labelType = labelsValue.GetTensorTypeAndShape().ElementDataType;
                var list = new List<RawDetection>();
                for (int i = 0; i < dets.Length / 5; i++)
                {
                    var score = dets[5 * i + 4];
                    if (score < _options.ScoreThreshold) continue;
                    var label = labelType == TensorElementType.Int64
                        ? (int)labelsValue.GetTensorDataAsSpan<long>()[i]
                        : labelsValue.GetTensorDataAsSpan<int>()[i];
                    var box = Box.FromCorners(dets[5 * i], dets[5 * i + 1], dets[5 * i + 2], dets[5 * i + 3]);
                    list.Add(new RawDetection(fit.ToFrame(box), label, score));
                }
                return list;
            }
            case ModelFormat.Picodet:
            case ModelFormat.Nanodet:
            {
                // Score maps have one column per class, distance maps 4 × bins; finer strides have more points.
                var classes = _options.ClassNames.Count;
                var levels = outputs.Select((o, i) => (Value: o, Width: o.GetTensorTypeAndShape().Shape[^1], Points: o.GetTensorTypeAndShape().Shape[^2]))
                    .ToList();
                var scoreMaps = levels.Where(l => l.Width == classes).OrderByDescending(l => l.Points).ToList();
                var distanceMaps = levels.Where(l => l.Width == 4 * GflDecoder.Bins).OrderByDescending(l => l.Points).ToList();
                var list = new List<RawDetection>();
                for (int i = 0; i < scoreMaps.Count; i++)
                {
                    var stride = (int)Math.Round(Math.Sqrt(_options.InputWidth * (double)_options.InputHeight / scoreMaps[i].Points));
                    var scores = scoreMaps[i].Value.GetTensorDataAsSpan<float>();
                    GflDecoder.DecodeLevel(scores, distanceMaps[i].Value.GetTensorDataAsSpan<float>(), classes, stride, _options.InputWidth,
                        _options.ScoreThreshold, applySigmoid: NeedsSigmoid(scores), GflCentreOffset, list);
                }
                return list.Select(d => d with { Box = fit.ToFrame(d.Box) }).ToList();
            }
            default:
                throw new NotSupportedException(_options.Format.ToString());
        }
    }

    /// <summary>Exports differ on whether the sigmoid is inside the graph: raw logits leave 0..1.</summary>
    private static bool NeedsSigmoid(ReadOnlySpan<float> scores)
    {
        foreach (var v in scores) if (v < 0 || v > 1) return true;
        return false;
    }

    private List<Detection> ToDetections(List<RawDetection> raw, int frameWidth, int frameHeight)
    {
        var candidates = new List<Detection>(raw.Count);
        foreach (var r in raw)
        {
            var label = r.ClassId >= 0 && r.ClassId < _options.ClassNames.Count ? _options.ClassNames[r.ClassId] : $"class{r.ClassId}";
            var box = r.Box.ClampTo(frameWidth, frameHeight);
            if (box.Width < 1 || box.Height < 1) continue;
            candidates.Add(new Detection(box, ClassMaps.CategoryOf(label, _options.CategoryOverrides), label, r.Score));
        }
        // DEIMv2 and RTMDet already remove duplicates; YOLOX needs NMS. Running it on all is cheap and harmless.
        return Nms.ClassWise(candidates, _options.NmsIou, OnnxModelOptions.MaxDetectionsPerFrame);
    }

    private void CheckOutputs()
    {
        string[] required = _options.Format switch
        {
            ModelFormat.Deimv2 => ["labels", "boxes", "scores"],
            ModelFormat.Rtmdet => ["dets", "labels"],
            _ => [],
        };
        if (_options.Format is ModelFormat.Picodet or ModelFormat.Nanodet)
        {
            var widths = _session.OutputMetadata.Values.Select(m => m.Dimensions[^1]).ToList();
            if (widths.Count(w => w == _options.ClassNames.Count) == 0 || widths.Count(w => w == 4 * GflDecoder.Bins) == 0)
                throw new InvalidDataException(
                    $"{_options.ModelPath} does not look like a {_options.Format} model: it needs score maps with {_options.ClassNames.Count} classes and distance maps with {4 * GflDecoder.Bins} values");
        }
        var missing = required.Where(r => !_session.OutputNames.Contains(r)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException(
                $"{_options.ModelPath} does not look like a {_options.Format} model: outputs [{string.Join(", ", _session.OutputNames)}] lack [{string.Join(", ", missing)}]");
        if (_options.Format == ModelFormat.Yolox)
        {
            var dims = _session.OutputMetadata[_session.OutputNames[0]].Dimensions;
            var last = dims[^1];
            if (last > 0 && last != 5 + _options.ClassNames.Count)
                throw new InvalidDataException(
                    $"{_options.ModelPath}: YOLOX output rows have {last} values, but {_options.ClassNames.Count} class names were given (expected {last - 5})");
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        throw new InvalidDataException($"model has no output named {name}");
    }

    public void Dispose()
    {
        _session.Dispose();
        _canvas.Dispose();
    }
}
