using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Vigie.Forensics;
using Vigie.Video;

namespace Vigie.Bench;

/// <summary>One recording measured: decode-only time against `vigie index` time, in the same run.</summary>
public sealed record ForensicRow(string Name, double LengthS, double DecodeS, double IndexS, long Frames, long Gated, int Tracks)
{
    public double Ratio => IndexS / DecodeS;
    public double RealTime => LengthS / IndexS;
}

/// <summary>
/// Forensic speed (issues: evaluation harness, forensic review): a 1080p 25 fps camera-like recording
/// made from a real clip — H.264 without B-frames, as IP cameras record — analysed by the indexer
/// (pieces across cores, motion gating) versus ffmpeg decoding every frame on all cores.
/// </summary>
public static class ForensicBenchmark
{
    private const int Width = 1920;
    private const int Height = 1080;

    /// <summary>
    /// Makes two recordings of about <paramref name="length"/>: "busy" (the clip looped: people moving in
    /// every frame, the worst case) and "mostly static" (a minute of an unchanging scene with sensor
    /// noise between each play of the clip, like a quiet camera).
    /// </summary>
    public static async Task<IReadOnlyList<(string Name, string Path)>> MakeRecordingsAsync(string clip, string folder, TimeSpan length,
        Action<string> report, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var motion = Path.Combine(folder, "motion.mp4");
        var still = Path.Combine(folder, "still.mp4");
        var busy = Path.Combine(folder, "busy-1080p.mp4");
        var quiet = Path.Combine(folder, "mostly-static-1080p.mp4");
        if (File.Exists(busy) && File.Exists(quiet)) return [("busy", busy), ("mostly static", quiet)];
        report("making the 1080p test recordings (once; kept in " + folder + ")");
        await BenchParts.FfmpegAsync(["-i", clip, "-vf", $"scale={Width}:{Height},fps=25", .. BenchParts.CameraEncoding, motion], ct);
        await BenchParts.FfmpegAsync(["-i", clip, "-frames:v", "1", "-vf", $"scale={Width}:{Height}", Path.Combine(folder, "still.png")], ct);
        await BenchParts.FfmpegAsync(["-loop", "1", "-framerate", "25", "-i", Path.Combine(folder, "still.png"), "-t", "60",
            "-vf", "noise=alls=3:allf=t", .. BenchParts.CameraEncoding, still], ct);
        double clipLength;
        await using (var probe = await FfmpegSource.OpenAsync(motion, new DecodeOptions(), ct))
            clipLength = probe.Info.Duration!.Value.TotalSeconds;
        var busyList = Enumerable.Repeat(motion, (int)Math.Ceiling(length.TotalSeconds / clipLength)).ToList();
        var quietList = Enumerable.Range(0, (int)Math.Ceiling(length.TotalSeconds / (60 + clipLength))).SelectMany(_ => new[] { still, motion }).ToList();
        foreach (var (list, output) in new[] { (busyList, busy), (quietList, quiet) })
            await BenchParts.ConcatAsync(list, output, ct);
        return [("busy", busy), ("mostly static", quiet)];
    }

    public static async Task<IReadOnlyList<ForensicRow>> RunAsync(IReadOnlyList<(string Name, string Path)> recordings, string? model, int runs,
        Action<string> report, CancellationToken ct)
    {
        var rows = new List<ForensicRow>();
        foreach (var (name, path) in recordings)
        {
            await using var probe = await FfmpegSource.OpenAsync(path, new DecodeOptions(), ct);
            var length = probe.Info.Duration!.Value.TotalSeconds;
            var decode = new List<double>();
            var index = new List<double>();
            IndexSummary? last = null;
            for (int run = 0; run < runs; run++)
            {
                var sw = Stopwatch.StartNew();
                await BenchParts.FfmpegAsync(["-threads", "0", "-i", path, "-f", "null", "-"], ct);
                decode.Add(sw.Elapsed.TotalSeconds);
                var folder = Path.Combine(Path.GetTempPath(), "vigie-bench-index-" + Guid.NewGuid().ToString("N")[..8]);
                sw.Restart();
                last = await Indexer.RunAsync(new IndexRequest([path], BenchParts.Config(model), folder, () => PrivacyFilter.PeopleOnly),
                    null, NullLogger.Instance, ct);
                index.Add(sw.Elapsed.TotalSeconds);
                Directory.Delete(folder, recursive: true);
                report($"{name}: run {run + 1}/{runs}: decode only {decode[^1]:0.0} s, index {index[^1]:0.0} s");
            }
            rows.Add(new ForensicRow(name, length, PipelineBenchmark.Median(decode), PipelineBenchmark.Median(index), last!.FramesAnalysed,
                last.FramesGated, last.Recordings.Sum(r => r.Tracks)));
        }
        return rows;
    }

    public static string ToMarkdown(IReadOnlyList<ForensicRow> rows, string clip, string? model, int runs, string machine, DateTimeOffset when)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = BenchParts.Section("Forensic speed: `vigie index` vs. decode-only (`vigie bench --forensic`)", machine, when);
        sb.AppendLine(inv, $"- Recordings made from `{Path.GetFileName(clip)}`, scaled to {Width}×{Height}, 25 fps, H.264 without B-frames (as IP cameras record); median of {runs} runs each.");
        sb.AppendLine(inv, $"- Decode only: `ffmpeg -threads 0 -i FILE -f null -` (every frame, all cores). Index: `vigie index` with {(model is null ? "the motion detector" : Path.GetFileName(model))}, analysis at 5 fps, one piece per core, motion gating, H.264 deblocking filter skipped.");
        sb.AppendLine("- Ratio: index time / decode-only time (target ≤ 1.25). One hour: the index time scaled to 3600 s of the same footage.");
        sb.AppendLine();
        sb.AppendLine("| recording | length s | decode only s | index s | ratio | x real time | one hour takes | detector skipped | tracks |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            sb.AppendLine(inv, $"| {r.Name} | {r.LengthS:0} | {r.DecodeS:0.0} | {r.IndexS:0.0} | {r.Ratio:0.00} | {r.RealTime:0.0} | {3600 / r.RealTime / 60:0.0} min | {100.0 * r.Gated / Math.Max(1, r.Frames):0}% of {r.Frames} frames | {r.Tracks} |");
        return sb.ToString();
    }
}
