using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>Finds objects in one BGR frame. Implementations keep no reference to the frame.</summary>
public interface IDetector : IDisposable
{
    /// <summary>A short description for logs and reports, e.g. "yolox yolox_nano.onnx 416x416".</summary>
    string Description { get; }

    /// <summary>Objects in one image, seen on its own.</summary>
    IReadOnlyList<Detection> Detect(Mat bgrFrame);

    /// <summary>
    /// Objects in one frame of a video, taken at <paramref name="time"/>. A model sees each frame on its own; a
    /// detector that learns the scene (the motion detector's background) learns it over seconds, not frames.
    /// </summary>
    IReadOnlyList<Detection> Detect(Mat bgrFrame, TimeSpan time) => Detect(bgrFrame);
}
