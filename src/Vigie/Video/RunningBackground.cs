using OpenCvSharp;
using Vigie.Perception;

namespace Vigie.Video;

/// <summary>
/// A live camera's empty scene, for the privacy safety net (<see cref="ForegroundPrivacy"/>): the
/// per-pixel median of small copies of frames taken every <see cref="Every"/> over the last
/// <see cref="Kept"/> of them, so passers-by are left out and a change of light is followed within
/// half a minute. It is only compared with frames, never shown.
/// </summary>
public sealed class RunningBackground(int width = RunningBackground.DefaultWidth) : IDisposable
{
    public const int DefaultWidth = 480;
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    public const int Kept = 15;
    /// <summary>Samples needed before there is a background: fewer would keep a passer-by in it.</summary>
    public const int Least = 3;

    private readonly Queue<Mat> _samples = new();
    private TimeSpan? _lastSample;

    /// <summary>
    /// The empty scene so far, or null until <see cref="Least"/> samples are in. Replaced, never changed:
    /// frames kept for evidence hold on to the one of their time.
    /// </summary>
    public Mat? Current { get; private set; }

    public void Offer(Mat frame, TimeSpan time)
    {
        // A restarted source counts its time from zero again.
        if (_lastSample is { } last && time - last < Every && time >= last) return;
        _lastSample = time;
        var scale = Math.Min(1.0, (double)width / frame.Width);
        var sample = new Mat();
        Cv2.Resize(frame, sample, new Size(), scale, scale, InterpolationFlags.Area);
        // A new picture size (the camera was reconfigured) starts the learning again.
        if (_samples.TryPeek(out var first) && first.Size() != sample.Size())
        {
            while (_samples.TryDequeue(out var old)) old.Dispose();
            Current = null;
        }
        _samples.Enqueue(sample);
        if (_samples.Count > Kept) _samples.Dequeue().Dispose();
        if (_samples.Count >= Least) Current = SceneBackground.Median(_samples.ToList());
    }

    public void Dispose()
    {
        while (_samples.TryDequeue(out var old)) old.Dispose();
    }
}
