using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>Finds objects in one BGR frame. Implementations keep no reference to the frame.</summary>
public interface IDetector : IDisposable
{
    /// <summary>A short description for logs and reports, e.g. "yolox yolox_nano.onnx 416x416".</summary>
    string Description { get; }

    IReadOnlyList<Detection> Detect(Mat bgrFrame);
}
