using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>
/// Finds faces only so that they can be blurred (YuNet through OpenCV's FaceDetectorYN). It returns
/// boxes and nothing else: no landmarks leave this class, no crop or descriptor is ever made.
/// </summary>
public sealed class FaceDetector : IDisposable
{
    private readonly string _modelPath;
    private readonly float _scoreThreshold;
    private readonly object _gate = new();
    private FaceDetectorYN _net;
    private Size _inputSize;
    private bool _disposed;

    public FaceDetector(string modelPath, float scoreThreshold = 0.5f)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"face model not found: {modelPath}", modelPath);
        _modelPath = modelPath;
        _scoreThreshold = scoreThreshold;
        _inputSize = new Size(320, 320);
        _net = Create(_inputSize);
        // A model that loads but is not YuNet fails on its first inference: find out now, not at the first alert.
        using var probe = new Mat(_inputSize, MatType.CV_8UC3, Scalar.All(0));
        try
        {
            Detect(probe);
        }
        catch (OpenCVException e)
        {
            _net.Dispose();
            throw new InvalidDataException($"{modelPath} is not a YuNet face model: {e.Message}", e);
        }
    }

    private FaceDetectorYN Create(Size size)
    {
        try
        {
            return FaceDetectorYN.Create(_modelPath, "", size, _scoreThreshold, 0.3f, 5000);
        }
        catch (OpenCVException e)
        {
            throw new InvalidDataException($"{_modelPath} is not a YuNet face model OpenCV can load: {e.Message}", e);
        }
    }

    public IReadOnlyList<Box> Detect(Mat bgr)
    {
        lock (_gate)
        {
            // A disposed network used from native code crashes the process: a late caller gets an exception instead.
            ObjectDisposedException.ThrowIf(_disposed, this);
            var size = new Size(bgr.Width, bgr.Height);
            if (size != _inputSize)
            {
                // OpenCvSharp cannot resize YuNet's input: frames of a new size get a new instance.
                _net.Dispose();
                _net = Create(size);
                _inputSize = size;
            }
            using var faces = new Mat();
            _net.Detect(bgr, faces);
            var rows = faces.Rows;
            var boxes = new List<Box>(rows);
            for (int i = 0; i < rows; i++)
                boxes.Add(new Box(faces.At<float>(i, 0), faces.At<float>(i, 1), faces.At<float>(i, 2), faces.At<float>(i, 3)));
            return boxes;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _net.Dispose();
        }
    }
}
