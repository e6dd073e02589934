using System.Diagnostics;
using OpenCvSharp;
using Vigie.Video;

namespace Vigie.Bench;

/// <summary>What the privacy safety net costs: learning a camera's empty scene, and hiding what differs from it on a shown frame.</summary>
public sealed record PrivacyNetCost(int Width, int Height, double LearnMs, double HideMs, double DecodeMs);

public static class PrivacyNetBenchmark
{
    /// <summary>
    /// Each frame is offered as a sample 2 s after the last (a camera's samples over a minute); each is then
    /// shown as evidence is: its kept JPEG decoded (the baseline, work a shown frame always costs) and
    /// everything differing from the learnt scene pixelated.
    /// </summary>
    public static PrivacyNetCost Measure(IReadOnlyList<Mat> frames)
    {
        using var background = new RunningBackground();
        var learn = new List<double>();
        for (int i = 0; i < frames.Count; i++)
        {
            var sw = Stopwatch.StartNew();
            background.Offer(frames[i], RunningBackground.Every * i, []);
            if (i >= RunningBackground.Least - 1) learn.Add(sw.Elapsed.TotalMilliseconds);
        }
        var empty = background.Current ?? throw new InvalidOperationException("too few frames to learn the empty scene");
        var hide = new List<double>();
        var decode = new List<double>();
        foreach (var frame in frames)
        {
            var jpeg = frame.ImEncode(".jpg", [(int)ImwriteFlags.JpegQuality, 88]);
            var sw = Stopwatch.StartNew();
            using var shown = Cv2.ImDecode(jpeg, ImreadModes.Color);
            decode.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            ForegroundPrivacy.Hide(shown, empty, []);
            hide.Add(sw.Elapsed.TotalMilliseconds);
        }
        return new PrivacyNetCost(frames[0].Width, frames[0].Height, PipelineBenchmark.Median(learn), PipelineBenchmark.Median(hide), PipelineBenchmark.Median(decode));
    }
}
