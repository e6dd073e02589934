using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>
/// An optional fire/smoke detector model, run beside the main detector: its sightings of fire and smoke
/// (other labels it may have are dropped), at most once per interval, the last answer serving in between.
/// </summary>
public sealed class FireModel(IDetector detector, TimeSpan every) : IDisposable
{
    private IReadOnlyList<Detection> _last = [];
    private TimeSpan? _lastTime;

    public string Description => detector.Description;

    public IReadOnlyList<Detection> Sightings(Mat bgrFrame, TimeSpan time)
    {
        if (_lastTime is { } last && time >= last && time - last < every) return _last;
        _lastTime = time;
        return _last = detector.Detect(bgrFrame).Where(d => d.Category is Category.Fire or Category.Smoke).ToList();
    }

    public void Dispose() => detector.Dispose();
}
