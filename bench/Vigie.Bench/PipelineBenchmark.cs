using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Vigie.Config;
using Vigie.Pipeline;
using Vigie.Video;

namespace Vigie.Bench;

public sealed record BenchSettings(string Source, string? Model, int Runs, IReadOnlyList<int> Threads, double AnalysisFps);

/// <summary>
/// A detector's median time per frame at one thread count: on the whole letterbox square (padding kept,
/// the baseline), on the frame's own shape (the default) and with tiles.
/// </summary>
public sealed record DetectorLatency(int Threads, double SquareMs, double WholeFrameMs, double TiledMs);

/// <summary>One measured configuration: median wall time of several runs and the video time it covered.</summary>
public sealed record BenchRow(string Name, int Threads, double MedianSeconds, double VideoSeconds, long FramesAnalysed, double SourceFps)
{
    /// <summary>Source frames per wall-clock second: how fast the video is consumed, whatever the analysis rate.</summary>
    public double SourceFramesPerSecond => VideoSeconds * SourceFps / MedianSeconds;
    public double RealTimeFactor => VideoSeconds / MedianSeconds;
}

/// <summary>
/// Decode-only versus full-pipeline throughput on the same file, in the same run, so their ratio is
/// meaningful on whatever machine runs it.
/// </summary>
public static class PipelineBenchmark
{
    public static async Task<IReadOnlyList<BenchRow>> RunAsync(BenchSettings s, Action<string> report, CancellationToken ct)
    {
        var rows = new List<BenchRow>();
        foreach (var threads in s.Threads)
        {
            rows.Add(await Measure("decode only", threads, s, report, () => DecodeOnceAsync(s, threads, ct)));
            rows.Add(await Measure("decode, skipping unreferenced frames", threads, s, report, () => DecodeOnceAsync(s, threads, ct, skip: true)));
            rows.Add(await Measure("pipeline, motion detector", threads, s, report, () => PipelineOnceAsync(s, threads, null, watched: true, ct)));
            if (s.Model is null) continue;
            rows.Add(await Measure($"pipeline, {Path.GetFileName(s.Model)}", threads, s, report, () => PipelineOnceAsync(s, threads, s.Model, watched: true, ct)));
            rows.Add(await Measure($"pipeline, {Path.GetFileName(s.Model)}, no rule", threads, s, report, () => PipelineOnceAsync(s, threads, s.Model, watched: false, ct)));
        }
        return rows;
    }

    /// <summary>
    /// Median ms per frame (pre-processing, inference, decoding, NMS) on frames of the file: the model on the
    /// whole square, on the frame's shape, and on the frame plus 2×2 tiles (crowd setting).
    /// </summary>
    public static async Task<IReadOnlyList<DetectorLatency>> DetectorLatencyAsync(BenchSettings s, CancellationToken ct)
    {
        if (s.Model is null) return [];
        var frames = await FramesAsync(s, ct);
        double MedianMs(int threads, List<int> tiles, bool trimPadding = true)
        {
            using var detector = SceneCompiler.Detector(new DetectorConfig { Type = "onnx", Model = s.Model, Tiles = tiles, TrimPadding = trimPadding }, threads);
            detector.Detect(frames[0]); // warm-up: first inference allocates
            var times = new List<double>();
            foreach (var f in frames)
            {
                var sw = Stopwatch.StartNew();
                detector.Detect(f);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            return Median(times);
        }
        var result = s.Threads.Select(threads => new DetectorLatency(threads, MedianMs(threads, [1, 1], trimPadding: false), MedianMs(threads, [1, 1]), MedianMs(threads, [2, 2]))).ToList();
        foreach (var f in frames) f.Dispose();
        return result;
    }

    /// <summary>The first 30 analysed frames of the file, as the pipeline sees them (at most 1280 wide).</summary>
    public static async Task<List<OpenCvSharp.Mat>> FramesAsync(BenchSettings s, CancellationToken ct)
    {
        var frames = new List<OpenCvSharp.Mat>();
        await using var source = await FfmpegSource.OpenAsync(s.Source, new DecodeOptions(s.AnalysisFps, 1280, 1), ct);
        await foreach (var frame in source.ReadFramesAsync(ct))
            using (frame)
                if (frames.Count < 30) frames.Add(frame.Image.Clone());
        return frames;
    }

    private static async Task<BenchRow> Measure(string name, int threads, BenchSettings s, Action<string> report,
        Func<Task<(long Frames, double VideoSeconds, double SourceFps)>> once)
    {
        var times = new List<double>();
        (long Frames, double VideoSeconds, double SourceFps) last = default;
        for (int run = 0; run < s.Runs; run++)
        {
            var sw = Stopwatch.StartNew();
            last = await once();
            times.Add(sw.Elapsed.TotalSeconds);
            report($"{name}, {threads} thread(s), run {run + 1}/{s.Runs}: {sw.Elapsed.TotalSeconds:0.000} s");
        }
        return new BenchRow(name, threads, Median(times), last.VideoSeconds, last.Frames, last.SourceFps);
    }

    /// <summary>The baseline decodes every frame of the file, as any player would; the pipeline may skip unreferenced ones.</summary>
    private static async Task<(long, double, double)> DecodeOnceAsync(BenchSettings s, int threads, CancellationToken ct, bool skip = false)
    {
        await using var source = await FfmpegSource.OpenAsync(s.Source, new DecodeOptions(s.AnalysisFps, 1280, threads, SkipUnreferencedFrames: skip), ct);
        long frames = 0;
        await foreach (var frame in source.ReadFramesAsync(ct))
            using (frame) frames++;
        return (frames, VideoSeconds(source), source.Info.Fps);
    }

    /// <param name="watched">Run the rules `vigie analyze FILE` runs (the use cases needing no zone, on the whole image); else detection and tracking only.</param>
    private static async Task<(long, double, double)> PipelineOnceAsync(BenchSettings s, int threads, string? model, bool watched, CancellationToken ct)
    {
        await using var prepared = await AnalysisSetup.PrepareAsync(new AnalysisRequest(s.Source, BenchParts.Config(model, s.AnalysisFps, watched), Threads: threads),
            NullLogger.Instance, ct);
        var result = await prepared.Pipeline.RunAsync(BenchParts.Silent, ct);
        if (result.SourceError is { } e) throw e;
        return (result.FramesAnalysed, VideoSeconds(prepared.Source), prepared.Source.Info.Fps);
    }

    private static double VideoSeconds(IFrameSource source) => source.Info.Duration?.TotalSeconds ?? 0;

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The Markdown section written into docs/BENCHMARKS.md.</summary>
    public static string ToMarkdown(BenchSettings s, IReadOnlyList<BenchRow> rows, IReadOnlyList<DetectorLatency> detector,
        PrivacyNetCost net, string machine, DateTimeOffset when)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = BenchParts.Section("Decode-only vs. full pipeline (`vigie bench`)", machine, when);
        sb.AppendLine(inv, $"- File: `{Path.GetFileName(s.Source)}`; analysis rate {s.AnalysisFps} fps; median of {s.Runs} runs each.");
        sb.AppendLine("- Throughput is in source frames per wall-clock second (the whole file is decoded either way; only analysed frames cross the pipe).");
        sb.AppendLine("- Ratio: throughput / decode-only throughput at the same thread count, measured in the same run. Decode-only decodes every frame;");
        sb.AppendLine("  \"skipping unreferenced frames\" shows what not decoding B-frames would save (an option, off in the pipeline: it upsets temporal cues).");
        sb.AppendLine("- Pipeline rows run what `vigie analyze FILE` runs without a configuration: person on the ground, weapon, fire, abandoned object");
        sb.AppendLine("  (still objects included with a model) and crowd movement on the whole image; \"no rule\" rows: decoding, detection and tracking only.");
        sb.AppendLine();
        sb.AppendLine("| what | threads | median s | source fps | x real time | analysed frames | ratio to decode |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var baseline = rows.First(b => b.Threads == r.Threads && b.Name == "decode only");
            var ratio = r.SourceFramesPerSecond / baseline.SourceFramesPerSecond;
            sb.AppendLine(inv, $"| {r.Name} | {r.Threads} | {r.MedianSeconds:0.000} | {r.SourceFramesPerSecond:0} | {r.RealTimeFactor:0.0} | {r.FramesAnalysed} | {ratio:0.00} |");
        }
        if (detector.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(inv, $"Detector latency, `{Path.GetFileName(s.Model)}` on 30 frames of the file (median ms per frame, pre- and post-processing included):");
            sb.AppendLine();
            sb.AppendLine("| threads | whole square (`trim_padding: false`), ms | frame's shape (default), ms | ratio to square | frame + 2×2 tiles (`tiles: [2, 2]`), ms | ratio to frame |");
            sb.AppendLine("|---|---|---|---|---|---|");
            foreach (var d in detector)
                sb.AppendLine(inv, $"| {d.Threads} | {d.SquareMs:0.0} | {d.WholeFrameMs:0.0} | {d.WholeFrameMs / d.SquareMs:0.00} | {d.TiledMs:0.0} | {d.TiledMs / d.WholeFrameMs:0.00} |");
        }
        sb.AppendLine();
        sb.AppendLine(inv, $"Privacy safety net (service evidence and previews, `analyze --render`) on the same 30 frames, {net.Width}×{net.Height}, median ms:");
        sb.AppendLine();
        var first = RunningBackground.FirstEvery.TotalSeconds;
        var learning = string.Format(inv, "learning the empty scene, per sample (one every {0:0} s for the first {1:0} s, then every {2:0} s)",
            first, first * RunningBackground.Kept, RunningBackground.Every.TotalSeconds);
        sb.AppendLine($"| {learning} | share of a core per camera, first / then | hiding what differs, per shown frame | decoding the kept JPEG, per shown frame (baseline) | ratio to decoding |");
        sb.AppendLine("|---|---|---|---|---|");
        sb.AppendLine(inv, $"| {net.LearnMs:0.0} | {net.LearnMs / RunningBackground.FirstEvery.TotalMilliseconds:0.0%} / {net.LearnMs / RunningBackground.Every.TotalMilliseconds:0.0%} | {net.HideMs:0.0} | {net.DecodeMs:0.0} | {net.HideMs / net.DecodeMs:0.00} |");
        if (net.Faces is { } f)
        {
            sb.AppendLine();
            sb.AppendLine(inv, $"Faces found to blur (YuNet), the same frames at the evidence width, {f.Width}×{f.Height} and turned upright ({f.Height}×{f.Width}) as a portrait camera's, median ms per frame:");
            sb.AppendLine();
            sb.AppendLine("| one shape | landscape and portrait in turn, a network kept for each | the same, a new network at each change (before; baseline) | ratio to baseline |");
            sb.AppendLine("|---|---|---|---|");
            sb.AppendLine(inv, $"| {f.OneShapeMs:0.0} | {f.TwoShapesKeptMs:0.0} | {f.TwoShapesNewMs:0.0} | {f.TwoShapesKeptMs / f.TwoShapesNewMs:0.00} |");
        }
        return sb.ToString();
    }

    /// <summary>Replaces (or appends) one marked section of a Markdown file, leaving other sections alone.</summary>
    public static string ReplaceSection(string document, string marker, string section)
    {
        var begin = $"<!-- {marker}:begin -->";
        var end = $"<!-- {marker}:end -->";
        var block = $"{begin}\n{section.TrimEnd()}\n{end}";
        var i = document.IndexOf(begin, StringComparison.Ordinal);
        var j = document.IndexOf(end, StringComparison.Ordinal);
        if (i >= 0 && j > i) return document[..i] + block + document[(j + end.Length)..];
        return document.TrimEnd() + (document.Length > 0 ? "\n\n" : "") + block + "\n";
    }

    public static string DescribeMachine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{cpu ?? "unknown CPU"}, {Environment.ProcessorCount} cores, {memory:0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }
}
