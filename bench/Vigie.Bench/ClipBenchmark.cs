using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using Vigie.Config;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Service.Evidence;
using Vigie.Video;

namespace Vigie.Bench;

/// <summary>Seconds to make the same overlapping clips with each frame's faces found once, and found again for every clip.</summary>
public sealed record ClipRow(int Clips, int FramesPerClip, int Width, double FacesOnceS, double FacesPerClipS)
{
    public double Speedup => FacesPerClipS / FacesOnceS;
}

/// <summary>
/// Clip making on a busy camera: alerts 1.2 s apart on a camera analysed at 5 frames/s, each with the default
/// 10-s clip (5 s before, 5 s after), so consecutive clips share 44 of their 50 frames, each rendered as the
/// service does (scaled to the evidence width, people and faces pixelated, outlined, stamped) and encoded.
/// The baseline, measured in the same run, finds each frame's faces again for every clip that shows it
/// (as the service did before 2026-11-25), by giving every clip its own copies of the frames.
/// </summary>
public static class ClipBenchmark
{
    private const int Clips = 8;
    private const int FramesPerClip = 50;
    private const int FramesBetweenAlerts = 6;
    private const double AnalysedFps = 5;

    public static async Task<ClipRow> RunAsync(string clip, string faceModel, int runs, Action<string> report, CancellationToken ct)
    {
        var frames = Frames(clip, FramesPerClip + (Clips - 1) * FramesBetweenAlerts);
        using var faces = new FaceDetector(faceModel);
        var privacy = new PrivacyFilter(faces);
        var width = new EvidenceConfig().MaxWidth;
        var folder = Path.Combine(Path.GetTempPath(), "vigie-bench-clips-" + Guid.NewGuid().ToString("N")[..8]);
        var marks = new AlertMarks(new Box(0.55f, 0.55f, 0.4f, 0.4f), [], [new(0.55f, 0.55f), new(0.95f, 0.55f), new(0.95f, 0.95f), new(0.55f, 0.95f)]);
        List<double> once = [], perClip = [];
        try
        {
            for (int run = 0; run < runs; run++)
                foreach (var shared in new[] { false, true })
                {
                    // A recorder of its own each time: nothing found in an earlier run is reused.
                    var recorder = new EvidenceRecorder(folder, width, privacy, TimeZoneInfo.Utc, NullLogger.Instance);
                    var watch = Stopwatch.StartNew();
                    for (int n = 0; n < Clips; n++)
                    {
                        var window = frames.Skip(n * FramesBetweenAlerts).Take(FramesPerClip).Select(f => shared ? f : f with { }).ToList();
                        await recorder.ClipAsync(n, "bench", window[0].Clock, window, marks, ct);
                    }
                    (shared ? once : perClip).Add(watch.Elapsed.TotalSeconds);
                    report($"clips, faces found {(shared ? "once per frame" : "for every clip")}: run {run + 1}/{runs}: {Clips} clips in {watch.Elapsed.TotalSeconds:0.0} s");
                }
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        return new ClipRow(Clips, FramesPerClip, width, PipelineBenchmark.Median(once), PipelineBenchmark.Median(perClip));
    }

    /// <summary>Frames at the analysis rate, the clip read again from its start as often as needed.</summary>
    private static List<KeptFrame> Frames(string clip, int count)
    {
        var frames = new List<KeptFrame>();
        var start = DateTimeOffset.UtcNow;
        using var image = new Mat();
        while (frames.Count < count)
        {
            using var capture = new VideoCapture(clip);
            var step = Math.Max(1, (int)Math.Round(capture.Fps / AnalysedFps));
            var read = 0;
            for (int i = 0; frames.Count < count && capture.Read(image); i++)
            {
                read++;
                if (i % step != 0) continue;
                var time = TimeSpan.FromSeconds(frames.Count / AnalysedFps);
                frames.Add(new KeptFrame(time, start + time, image.ImEncode(".jpg"), []));
            }
            if (read == 0) throw new InvalidDataException($"{clip}: no frame could be read");
        }
        return frames;
    }

    public static string ToMarkdown(ClipRow row, string clip, int runs, string machine, DateTimeOffset when)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = BenchParts.Section("Alert clips on a busy camera (`vigie bench --clips`)", machine, when);
        sb.AppendLine(inv, $"- {row.Clips} clips of {row.FramesPerClip} frames (10 s at {AnalysedFps} frames/s) from `{Path.GetFileName(clip)}`, one alert every {FramesBetweenAlerts / AnalysedFps:0.0} s, "
            + $"each frame scaled to {row.Width} pixels wide, pixelated (people, faces: YuNet), outlined and encoded by the service's evidence recorder, one clip at a time; median of {runs} runs.");
        sb.AppendLine("- Baseline in the same run: every clip with its own copies of the frames, so each frame's faces are found again for each clip showing it (the service before 2026-11-25).");
        sb.AppendLine();
        sb.AppendLine("| clips | faces found once per frame, s | per clip, s | faces found for every clip, s | per clip, s | speed-up |");
        sb.AppendLine("|---|---|---|---|---|---|");
        sb.AppendLine(inv, $"| {row.Clips} | {row.FacesOnceS:0.0} | {row.FacesOnceS / row.Clips:0.00} | {row.FacesPerClipS:0.0} | {row.FacesPerClipS / row.Clips:0.00} | {row.Speedup:0.0}× |");
        return sb.ToString();
    }
}
