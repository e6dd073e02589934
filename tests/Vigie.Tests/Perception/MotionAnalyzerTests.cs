using OpenCvSharp;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class MotionAnalyzerTests
{
    /// <summary>
    /// A camera that pans to a new view: its learned background no longer matches, and without a fresh one
    /// the whole new view stayed foreground for many seconds (the crowd count's foreground estimate then
    /// counted a pan as a crowd).
    /// </summary>
    [Fact]
    public void After_the_camera_pans_the_new_view_is_learned_afresh_and_its_foreground_unused_meanwhile()
    {
        using var scene = TestImages.Texture(1000, 360);
        using var analyzer = new MotionAnalyzer();
        var fields = new List<MotionField>();
        const int pan = 12;               // pixels per frame at 5 frames/s: about a tenth of the image width per second
        for (int i = 0; i < 60; i++)
        {
            var x = Math.Clamp(i - 15, 0, 20) * pan;   // still for 3 s, pans for 4 s, then still
            using var view = new Mat(scene, new Rect(x, 0, 640, 360));
            using var shrunk = new ShrunkFrame(view);
            fields.Add(analyzer.Analyse(shrunk, TimeSpan.FromSeconds(i / 5.0)));
        }

        Assert.True(fields[14].ForegroundReady);
        Assert.True(fields[14].Foreground.Average() < 0.02, $"still view: foreground {fields[14].Foreground.Average():0.00}");
        var panning = fields.Skip(16).Take(19).ToList();
        Assert.True(panning.Count(f => f.CameraMoving) >= 15, $"{panning.Count(f => f.CameraMoving)} of 19 panning frames seen as camera motion");
        Assert.All(panning.Where(f => f.CameraMoving), f => Assert.False(f.ForegroundReady));
        // Still again from frame 35: unused while the new background warms up (2 s), then quiet.
        Assert.False(fields[36].ForegroundReady);
        var settled = fields[50];
        Assert.True(settled.ForegroundReady);
        Assert.True(settled.Foreground.Average() < 0.02, $"new view after warming up: foreground {settled.Foreground.Average():0.00}");
    }

    /// <summary>
    /// The background learns over seconds, not frames: at 25 analysed frames a second (`analysis.fps: 0` on a
    /// 25 fps camera) it used to be ready after 0.4 s and to take a parcel set down for the scene five times
    /// sooner than at the default 5 (1.3 s instead of 6).
    /// </summary>
    [Theory]
    [InlineData(5)]
    [InlineData(25)]
    public void The_background_warms_up_and_absorbs_a_still_thing_over_the_same_seconds_at_any_rate(int perSecond)
    {
        using var scene = TestImages.Texture(320, 180);
        using var withParcel = scene.Clone();
        Cv2.Rectangle(withParcel, new Rect(140, 80, 40, 40), Scalar.All(255), -1);
        using var analyzer = new MotionAnalyzer();
        var readyAt = double.NaN;
        var absorbedAt = double.NaN;
        // Set down after the first 30 s, when the background has stopped averaging all it saw and forgets over its memory.
        const double setDown = 40;
        for (int i = 0; i < 55 * perSecond; i++)
        {
            var t = (double)i / perSecond;
            using var shrunk = new ShrunkFrame(t < setDown ? scene : withParcel);
            var field = analyzer.Analyse(shrunk, TimeSpan.FromSeconds(t));
            if (field.ForegroundReady && double.IsNaN(readyAt)) readyAt = t;
            // The parcel covers about 3 % of the picture; absorbed when under a hundredth is foreground.
            if (t > setDown && field.Foreground.Average() < 0.01 && double.IsNaN(absorbedAt)) absorbedAt = t - setDown;
        }

        Assert.Equal(2, readyAt, 1);
        Assert.InRange(absorbedAt, 4, 10);
    }
}
