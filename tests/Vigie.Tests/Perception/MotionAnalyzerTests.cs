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
}
