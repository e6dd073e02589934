using System.Diagnostics;
using OpenCvSharp;
using Vigie.Video;

namespace Vigie.Bench;

/// <summary>What the privacy safety net costs: learning a camera's empty scene, and hiding what differs from it on a shown frame.</summary>
public sealed record PrivacyNetCost(int Width, int Height, double LearnMs, double HideMs, double DecodeMs)
{
    /// <summary>Finding faces to blur, when a face model was given.</summary>
    public FaceBlurCost? Faces { get; init; }
}

/// <summary>
/// Finding faces on shown frames (median ms per frame) at the evidence width: frames of one shape; landscape and
/// portrait frames in turn with a network kept for each (<see cref="Vigie.Perception.FaceDetector"/>); the same with a
/// new network each time the size changes, as before the 33rd session (the baseline).
/// </summary>
public sealed record FaceBlurCost(int Width, int Height, double OneShapeMs, double TwoShapesKeptMs, double TwoShapesNewMs);

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

    /// <summary>The frames scaled to <paramref name="width"/> as evidence is, each also turned upright as a portrait camera's would be.</summary>
    public static FaceBlurCost MeasureFaces(IReadOnlyList<Mat> frames, string faceModel, int width)
    {
        var landscape = frames.Select(f => f.Resize(new Size(width, (int)Math.Round(f.Height * (double)width / f.Width)), 0, 0, InterpolationFlags.Area)).ToList();
        var portrait = landscape.Select(f => { var turned = new Mat(); Cv2.Rotate(f, turned, RotateFlags.Rotate90Clockwise); return turned; }).ToList();
        try
        {
            double Time(Action<Mat> find, Func<int, Mat> frame)
            {
                var times = new List<double>();
                for (int i = 0; i < 2 * landscape.Count; i++)
                {
                    var sw = Stopwatch.StartNew();
                    find(frame(i));
                    times.Add(sw.Elapsed.TotalMilliseconds);
                }
                return PipelineBenchmark.Median(times);
            }
            Mat InTurn(int i) => i % 2 == 0 ? landscape[i / 2] : portrait[i / 2];
            using var faces = new Vigie.Perception.FaceDetector(faceModel);
            faces.Detect(landscape[0]);
            var one = Time(f => faces.Detect(f), i => landscape[i / 2]);
            var kept = Time(f => faces.Detect(f), InTurn);
            var renewed = Time(f =>
            {
                using var net = FaceDetectorYN.Create(faceModel, "", new Size(f.Width, f.Height), 0.5f, 0.3f, 5000);
                using var found = new Mat();
                net.Detect(f, found);
            }, InTurn);
            return new FaceBlurCost(landscape[0].Width, landscape[0].Height, one, kept, renewed);
        }
        finally
        {
            foreach (var f in landscape.Concat(portrait)) f.Dispose();
        }
    }
}
