using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class MotionDetectorTests
{
    /// <summary>
    /// The model-free detector's background learns over seconds, not frames: at 25 analysed frames a second
    /// (`analysis.fps: 0` on a 25 fps camera) it used to report from 0.4 s in and to lose someone standing still
    /// after 0.4 s instead of 2.
    /// </summary>
    [Theory]
    [InlineData(5)]
    [InlineData(25)]
    public void Someone_standing_still_is_seen_for_the_same_seconds_at_any_rate(int perSecond)
    {
        using var scene = TestImages.Texture(320, 180);
        using IDetector detector = new MotionDetector();
        // Someone walks along the top all the time; someone else arrives once the background has stopped averaging
        // all it saw and forgets over its memory, and stands still.
        const double arrives = 30;
        var standing = new Box(150, 60, 20, 60);
        var reports = Enumerable.Range(0, 45 * perSecond).Select(i => (double)i / perSecond).Select(t =>
        {
            using var frame = scene.Clone();
            Cv2.Rectangle(frame, new Rect(10 + (int)(60 * t % 280), 5, 20, 30), Scalar.All(255), -1);
            if (t >= arrives) Cv2.Rectangle(frame, new Rect((int)standing.X, (int)standing.Y, (int)standing.Width, (int)standing.Height), Scalar.All(20), -1);
            return (Time: t, Found: detector.Detect(frame, TimeSpan.FromSeconds(t)));
        }).ToList();

        Assert.Equal(2, reports.First(r => r.Found.Count > 0).Time, 1);
        var seenFor = reports.Last(r => r.Found.Any(d => d.Box.IoU(standing) > 0.5)).Time - arrives;
        Assert.InRange(seenFor, 1, 5);
    }
}
