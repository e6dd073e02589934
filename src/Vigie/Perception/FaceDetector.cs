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
    // OpenCvSharp cannot resize YuNet's input, so each frame size needs a network of its own, whose first detection
    // sets it up: frames of two sizes in turn (the console's previews, the clips of cameras of different shapes)
    // cost 23 ms each with a new network every time, 17 with both kept (docs/BENCHMARKS.md). A network holds
    // about 35 MB at 960x720: two are kept, for the usual mix of landscape and portrait cameras; a third size
    // sends the older away.
    private readonly List<(Size Size, FaceDetectorYN Net)> _nets = [];
    private bool _disposed;

    /// <summary>Input sizes whose network stays loaded.</summary>
    public const int MostInputSizes = 2;

    /// <summary>How many networks were loaded so far, one per new input size (and again for a size let go).</summary>
    public int NetworksLoaded { get; private set; }

    public FaceDetector(string modelPath, float scoreThreshold = 0.5f)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"face model not found: {modelPath}", modelPath);
        _modelPath = modelPath;
        _scoreThreshold = scoreThreshold;
        // A model that loads but is not YuNet fails on its first inference: find out now, not at the first alert.
        using var probe = new Mat(320, 320, MatType.CV_8UC3, Scalar.All(0));
        try
        {
            Detect(probe);
        }
        catch (OpenCVException e)
        {
            Dispose();
            throw new InvalidDataException($"{modelPath} is not a YuNet face model: {e.Message}", e);
        }
    }

    private FaceDetectorYN Create(Size size)
    {
        try
        {
            NetworksLoaded++;
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
            using var faces = new Mat();
            NetFor(new Size(bgr.Width, bgr.Height)).Detect(bgr, faces);
            var rows = faces.Rows;
            var boxes = new List<Box>(rows);
            for (int i = 0; i < rows; i++)
                boxes.Add(new Box(faces.At<float>(i, 0), faces.At<float>(i, 1), faces.At<float>(i, 2), faces.At<float>(i, 3)));
            return boxes;
        }
    }

    /// <summary>The network for frames of this size, now the most recently used.</summary>
    private FaceDetectorYN NetFor(Size size)
    {
        var index = _nets.FindIndex(n => n.Size == size);
        var entry = index >= 0 ? _nets[index] : (Size: size, Net: Create(size));
        if (index >= 0) _nets.RemoveAt(index);
        _nets.Add(entry);
        if (_nets.Count > MostInputSizes)
        {
            _nets[0].Net.Dispose();
            _nets.RemoveAt(0);
        }
        return entry.Net;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var (_, net) in _nets) net.Dispose();
            _nets.Clear();
        }
    }
}
