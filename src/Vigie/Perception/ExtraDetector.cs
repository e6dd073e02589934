using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>
/// A detector model run beside the main one for what it lacks — a handgun model, a fire/smoke model: only its
/// weapon, fire and smoke detections are kept (people and vehicles come from the main detector), at most once
/// per interval, the last answer serving in between.
/// </summary>
public sealed class ExtraDetector(IDetector detector, TimeSpan every) : IDisposable
{
    private IReadOnlyList<Detection> _last = [];
    private TimeSpan? _lastTime;

    /// <summary>The categories an extra detector contributes.</summary>
    public static bool Keeps(Category category) => category is Category.Weapon or Category.Fire or Category.Smoke;

    public string Description => detector.Description;

    public IReadOnlyList<Detection> Detect(Mat bgrFrame, TimeSpan time)
    {
        if (_lastTime is { } last && time >= last && time - last < every) return _last;
        _lastTime = time;
        return _last = detector.Detect(bgrFrame, time).Where(d => Keeps(d.Category)).ToList();
    }

    public void Dispose() => detector.Dispose();
}
