using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Video;

/// <summary>
/// A live camera's empty scene, for the privacy safety net (<see cref="ForegroundPrivacy"/>): the
/// per-pixel median of the last <see cref="Kept"/> small copies of frames, so passers-by are left out.
/// Copies are taken every <see cref="FirstEvery"/> until there are <see cref="Kept"/> of them (a camera's
/// scene is known within seconds), then every <see cref="Every"/>: someone standing still whom the
/// detector misses becomes part of the scene only after more than half of that window (about 80 s).
/// When most of the picture no longer looks like the learnt scene (the camera turned, a cut, the
/// lights), copies are taken at the first pace again, so a new view is learnt within seconds; a
/// change of light that scales the whole scene is made up for by the comparison meanwhile (see
/// ForegroundPrivacy). Where people were detected a sample does not count, so someone standing still,
/// whom the detector then misses now and again, is not learnt as part of the scene while another
/// sample shows the place free. It is only compared with frames, never shown.
/// </summary>
public sealed class RunningBackground(int width = RunningBackground.DefaultWidth) : IDisposable
{
    public const int DefaultWidth = 480;
    public static readonly TimeSpan FirstEvery = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);
    public const int Kept = 15;
    /// <summary>Samples needed before there is a background: fewer would keep a passer-by in it.</summary>
    public const int Least = 3;

    private readonly Queue<(Mat Sample, Mat Occupied)> _samples = new();
    private TimeSpan? _lastSample;
    // When a frame was last looked at to decide whether the view changed (at most every FirstEvery).
    private TimeSpan? _lastLook;

    /// <summary>
    /// The empty scene so far, or null until <see cref="Least"/> samples are in. Replaced, never changed:
    /// frames kept for evidence hold on to the one of their time.
    /// </summary>
    public Mat? Current { get; private set; }

    /// <param name="people">Boxes (frame pixels) of the people detected on this frame.</param>
    public void Offer(Mat frame, TimeSpan time, IEnumerable<Box> people)
    {
        // A restarted source counts its time from zero again.
        var since = _lastSample is { } last && time >= last ? time - last : (TimeSpan?)null;
        if (since < FirstEvery || (_lastLook is { } looked && time >= looked && time - looked < FirstEvery)) return;
        _lastLook = time;
        var scale = Math.Min(1.0, (double)width / frame.Width);
        var sample = new Mat();
        Cv2.Resize(frame, sample, new Size(), scale, scale, InterpolationFlags.Area);
        if (since < Every && _samples.Count >= Kept && !ViewChanged(sample))
        {
            sample.Dispose();
            return;
        }
        _lastSample = time;
        var occupied = new Mat(sample.Size(), MatType.CV_8UC1, Scalar.Black);
        var bounds = new Rect(0, 0, sample.Width, sample.Height);
        foreach (var p in people)
        {
            var r = new Rect((int)(p.X * scale), (int)(p.Y * scale), (int)Math.Ceiling(p.Width * scale), (int)Math.Ceiling(p.Height * scale)).Intersect(bounds);
            if (r.Width > 0 && r.Height > 0) occupied[r].SetTo(Scalar.White);
        }
        // A new picture size (the camera was reconfigured) starts the learning again.
        if (_samples.TryPeek(out var first) && first.Sample.Size() != sample.Size())
        {
            Clear();
            Current = null;
        }
        _samples.Enqueue((sample, occupied));
        if (_samples.Count > Kept)
        {
            var (oldSample, oldOccupied) = _samples.Dequeue();
            oldSample.Dispose();
            oldOccupied.Dispose();
        }
        if (_samples.Count >= Least) Current = SceneBackground.Median(_samples.Select(x => x.Sample).ToList(), _samples.Select(x => x.Occupied).ToList());
    }

    // A sample differing from the learnt scene (as the safety net counts a difference) over this share of
    // the picture shows another view: the camera turned or was moved, the lights changed.
    private const double MostOfThePicture = 0.5;

    /// <summary>Most of the picture no longer looks like the learnt scene: it is learnt again at the first pace.</summary>
    private bool ViewChanged(Mat sample)
    {
        if (Current is null || Current.Size() != sample.Size()) return true;
        using var difference = new Mat();
        Cv2.Absdiff(sample, Current, difference);
        using var grey = new Mat();
        Cv2.CvtColor(difference, grey, ColorConversionCodes.BGR2GRAY);
        Cv2.Threshold(grey, grey, ForegroundPrivacy.Difference, 255, ThresholdTypes.Binary);
        return Cv2.CountNonZero(grey) > MostOfThePicture * grey.Total();
    }

    private void Clear()
    {
        while (_samples.TryDequeue(out var old))
        {
            old.Sample.Dispose();
            old.Occupied.Dispose();
        }
    }

    public void Dispose() => Clear();
}
