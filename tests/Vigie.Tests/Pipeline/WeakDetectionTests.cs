using Microsoft.Extensions.Logging.Abstractions;
using Vigie.Config;
using Vigie.Pipeline;

namespace Vigie.Tests.Pipeline;

/// <summary>
/// Detections between the tracker's low threshold and the detector's score threshold (ByteTrack's weak
/// detections) continue tracks but never reach the rules or the observers. Real model, real clip.
/// </summary>
public class WeakDetectionTests
{
    private sealed class Scores : IAnalysisObserver
    {
        public float WeakestDetection = 1, WeakestTrack = 1;

        public void OnFrameAnalysed(AnalysedFrame frame)
        {
            foreach (var d in frame.Detections) WeakestDetection = Math.Min(WeakestDetection, d.Score);
            foreach (var t in frame.Tracks.Visible) WeakestTrack = Math.Min(WeakestTrack, t.Score);
        }
    }

    [Fact]
    public async Task Weak_detections_keep_tracks_going_but_are_not_reported()
    {
        var config = ConfigLoader.Parse($$"""
            detector: { type: onnx, model: {{TestPaths.Model("yolox_nano.onnx")}}, format: yolox }
            tracker: { low_threshold: 0.1 }
            """);
        await using var prepared = await AnalysisSetup.PrepareAsync(
            new AnalysisRequest(TestPaths.Clip("pedestrians/vtest.avi"), config) { Excerpt = (TimeSpan.Zero, TimeSpan.FromSeconds(8)) },
            NullLogger.Instance);
        var scores = new Scores();
        await prepared.Pipeline.RunAsync(scores, CancellationToken.None);
        Assert.True(scores.WeakestDetection >= 0.3f, $"a detection scored {scores.WeakestDetection}");
        Assert.True(scores.WeakestTrack is >= 0.1f and < 0.3f, $"the weakest tracked sighting scored {scores.WeakestTrack}");
    }
}
