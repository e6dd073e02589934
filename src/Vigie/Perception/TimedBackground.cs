using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>
/// MOG2 background subtraction that forgets over seconds rather than frames, so it means the same whether
/// frames come 3, 5 or 25 times a second: its first frames average everything seen so far (MOG2's own start,
/// 1/2n), then what was seen <c>memoryS</c> ago weighs 1/e of what is seen now. Its foreground is trusted once
/// it has learned for <c>warmup</c>; a frame earlier than the first it learned from starts that again.
/// </summary>
public sealed class TimedBackground(double memoryS, TimeSpan warmup, double varThreshold, bool detectShadows) : IDisposable
{
    // Frame times are rounded: the frame due at the end of the warm-up must not wait for the next.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(10);
    private BackgroundSubtractorMOG2 _model = Create(varThreshold, detectShadows);
    private int _frames;
    private TimeSpan? _learningSince, _previous;

    /// <summary>Learns from <paramref name="image"/> and writes its foreground (255; shadows 127 when detected) to <paramref name="foreground"/>.</summary>
    /// <returns>Whether the foreground can be trusted: the background has learned for the warm-up.</returns>
    public bool Apply(Mat image, Mat foreground, TimeSpan time)
    {
        var step = _previous is { } p ? (time - p).TotalSeconds : 0;
        _previous = time;
        _model.Apply(image, foreground, Math.Max(1.0 / (2 * ++_frames), LearningRate.Over(step, memoryS)));
        if (_learningSince is not { } since || time < since) _learningSince = time;
        return time - _learningSince.Value >= warmup - Slack;
    }

    /// <summary>Forgets the scene (the view changed): a fresh model learns the new one, untrusted until warmed up.</summary>
    public void Restart()
    {
        _model.Dispose();
        _model = Create(varThreshold, detectShadows);
        _frames = 0;
        _learningSince = null;
    }

    // The history is unused: the learning rate is given on every frame.
    private static BackgroundSubtractorMOG2 Create(double varThreshold, bool detectShadows) =>
        BackgroundSubtractorMOG2.Create(300, varThreshold, detectShadows);

    public void Dispose() => _model.Dispose();
}
