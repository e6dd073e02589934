using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>Everything needed to run one crowd-counting model; built from the validated config.</summary>
public sealed record CrowdCounterOptions(string ModelPath, int InputWidth, int InputHeight, int Threads, TimeSpan Every);

/// <summary>
/// People per cell of a grid over the image, as a density-map model estimated them at <see cref="Time"/>:
/// summing the cells over a region gives the people in it. Cells are row-major.
/// </summary>
public sealed record CrowdMap(int Columns, int Rows, float[] People, TimeSpan Time)
{
    public double Total => People.Sum(p => (double)p);

    /// <summary>The cells whose centre lies in a normalised polygon: a zone's share of the map.</summary>
    public IReadOnlyList<int> CellsIn(IReadOnlyList<Point2> polygon) => Shapes.GridCellsIn(Columns, Rows, polygon);

    /// <summary>People in these cells. Pure.</summary>
    public double Sum(IReadOnlyList<int> cells) => cells.Sum(c => (double)People[c]);
}

/// <summary>
/// Runs a crowd-counting model that outputs a density map (DM-Count, CSRNet, MPCount and alike): the
/// frame resized to the input size, RGB, ImageNet-normalised as torchvision trains them; the first output
/// is the map, [1, 1, rows, columns], whose sum is the number of people. Where
/// detectors see separate people these models see texture: they keep counting in crowds too dense for boxes.
/// </summary>
public sealed class CrowdCounter : IDisposable
{
    private readonly CrowdCounterOptions _options;
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly float[] _input;
    private readonly Mat _canvas = new();

    public CrowdCounter(CrowdCounterOptions options)
    {
        _options = options;
        _session = OnnxSessions.Open(options.ModelPath, options.Threads);
        var inputs = _session.InputMetadata.Where(kv => kv.Value.ElementDataType == TensorElementType.Float).ToList();
        var map = _session.OutputMetadata.First().Value.Dimensions;
        if (inputs.Count != 1 || inputs[0].Value.Dimensions.Length != 4 || map is not [_, 1 or -1, _, _])
            throw new InvalidDataException(
                $"{options.ModelPath} is not a crowd-counting model: it needs one image input [1, 3, height, width] and a density map [1, 1, rows, columns] as first output");
        _inputName = inputs[0].Key;
        OnnxSessions.CheckFixedInputSize(_session, _inputName, options.ModelPath, options.InputWidth, options.InputHeight, "crowd_counter.input_size");
        _input = new float[3 * options.InputWidth * options.InputHeight];
        // A model with free input sizes may still refuse some (sizes its layers cannot halve evenly): find out
        // at start, with the setting to change, rather than on the first frame of a camera.
        using var probe = new Mat(options.InputHeight, options.InputWidth, MatType.CV_8UC3, Scalar.All(0));
        try
        {
            Count(probe, TimeSpan.Zero);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public CrowdCounterOptions Options => _options;

    public string Description => $"density map {Path.GetFileName(_options.ModelPath)} {_options.InputWidth}x{_options.InputHeight}";

    public CrowdMap Count(Mat bgrFrame, TimeSpan time)
    {
        TensorPrep.Stretch(bgrFrame, _canvas, _options.InputWidth, _options.InputHeight);
        TensorPrep.ToPlanar(_canvas, _input, toRgb: true, 1 / 255f, TensorPrep.ImageNetMeanRgb, TensorPrep.ImageNetStdRgb);
        using var image = OrtValue.CreateTensorValueFromMemory(_input, [1, 3, _options.InputHeight, _options.InputWidth]);
        using var runOptions = new RunOptions();
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(runOptions, [_inputName], [image], [_session.OutputNames[0]]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException(
                $"{_options.ModelPath} does not take a {_options.InputWidth}x{_options.InputHeight} input (crowd_counter.input_size): {OnnxSessions.FirstLine(e.Message)}", e);
        }
        using (outputs)
        {
            var shape = outputs[0].GetTensorTypeAndShape().Shape;
            int rows = (int)shape[^2], columns = (int)shape[^1];
            // A density is never negative; exports without a final ReLU may leave tiny negative values.
            var people = outputs[0].GetTensorDataAsSpan<float>()[..(rows * columns)].ToArray();
            for (int i = 0; i < people.Length; i++) people[i] = Math.Max(0, people[i]);
            return new CrowdMap(columns, rows, people, time);
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _canvas.Dispose();
    }
}
