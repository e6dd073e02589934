using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Vigie.Config;
using Vigie.Pipeline;

namespace Vigie.Bench;

/// <param name="LagSeconds">How far the cameras' stream time fell behind the wall clock on average: a decoder that cannot keep up lags instead of dropping.</param>
public sealed record CapacityRow(int Cameras, long Analysed, long Dropped, double MemoryPerCameraMb, double LagSeconds, double DecoderMemoryPerCameraMb);

/// <summary>
/// Live figures: how many simulated 25 fps cameras (a file played at its own pace, analysed at 5 fps)
/// one machine holds before frames are dropped, the engine memory each takes, and the alert latency
/// from the moment a frame leaves the decoder to the moment its alert is emitted.
/// </summary>
public static class LiveBenchmark
{
    /// <summary>
    /// For each number of cameras, <paramref name="runs"/> runs of <paramref name="perStep"/>, each figure the
    /// median of the runs (one run on a shared machine moves by a camera or two); stops at the first count not held.
    /// </summary>
    public static async Task<IReadOnlyList<CapacityRow>> CapacityAsync(string clip, string? model, IReadOnlyList<int> steps,
        TimeSpan perStep, int runs, Action<string> report, CancellationToken ct)
    {
        var rows = new List<CapacityRow>();
        foreach (var cameras in steps)
        {
            var measured = new List<CapacityRow>();
            for (int run = 0; run < runs; run++)
            {
                var r = await MeasureAsync(clip, model, cameras, perStep, ct);
                measured.Add(r);
                report($"{cameras} live camera(s), run {run + 1}/{runs}: {r.Analysed} frames analysed, {r.Dropped} dropped, {r.LagSeconds:0.0} s behind, {r.MemoryPerCameraMb:0} MB per camera in the engine, {r.DecoderMemoryPerCameraMb:0} MB in its decoder");
            }
            double Median(Func<CapacityRow, double> figure) => PipelineBenchmark.Median(measured.Select(figure).ToList());
            var row = new CapacityRow(cameras, (long)Median(r => r.Analysed), (long)Median(r => r.Dropped), Median(r => r.MemoryPerCameraMb),
                Median(r => r.LagSeconds), Median(r => r.DecoderMemoryPerCameraMb));
            rows.Add(row);
            // Full: more than 1 % dropped, or stream time falling a second further behind than with one camera.
            if (!Holds(row, rows[0])) break;
        }
        return rows;
    }

    private static async Task<CapacityRow> MeasureAsync(string clip, string? model, int cameras, TimeSpan perStep, CancellationToken ct)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.WorkingSet64;
        long peak = before, decodersPeak = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(perStep);
        var runs = new List<Task<AnalysisResult>>();
        var prepared = new List<PreparedAnalysis>();
        var begin = Stopwatch.GetTimestamp();
        for (int i = 0; i < cameras; i++)
        {
            var p = await AnalysisSetup.PrepareAsync(new AnalysisRequest(clip, BenchParts.Config(model, watched: true), Threads: 1) { SimulateLive = true },
                NullLogger.Instance, ct);
            prepared.Add(p);
            runs.Add(p.Pipeline.RunAsync(BenchParts.Silent, stop.Token));
        }
        while (!Task.WhenAll(runs).IsCompleted)
        {
            await Task.Delay(200, CancellationToken.None);
            process.Refresh();
            peak = Math.Max(peak, process.WorkingSet64);
            decodersPeak = Math.Max(decodersPeak, BenchParts.ChildProcessesResidentBytes(process.Id));
        }
        var results = await Task.WhenAll(runs);
        var wall = Stopwatch.GetElapsedTime(begin).TotalSeconds;
        foreach (var p in prepared) await p.DisposeAsync();
        return new CapacityRow(cameras, results.Sum(r => r.FramesAnalysed), results.Sum(r => r.FramesDropped),
            (peak - before) / 1024.0 / 1024 / cameras, wall - results.Average(r => r.LastTimestamp.TotalSeconds),
            decodersPeak / 1024.0 / 1024 / cameras);
    }

    public static bool Holds(CapacityRow row, CapacityRow single) => row.Dropped <= row.Analysed / 100 && row.LagSeconds <= single.LagSeconds + 1;

    /// <summary>Milliseconds from a frame leaving the decoder to its alert reaching the observer, for every alert.</summary>
    public static async Task<IReadOnlyList<double>> AlertLatencyAsync(string clip, SceneConfig config, int runs, CancellationToken ct)
    {
        var latencies = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            await using var p = await AnalysisSetup.PrepareAsync(new AnalysisRequest(clip, config) { SimulateLive = true }, NullLogger.Instance, ct);
            var observer = new LatencyObserver();
            await p.Pipeline.RunAsync(observer, ct);
            latencies.AddRange(observer.Latencies);
        }
        return latencies;
    }

    public static string ToMarkdown(IReadOnlyList<CapacityRow> capacity, IReadOnlyList<double> latencies, string clip, string? model,
        string machine, DateTimeOffset when)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = BenchParts.Section("Live cameras, memory and alert latency (`vigie bench --live`)", machine, when);
        sb.AppendLine(inv, $"- Each camera plays `{Path.GetFileName(clip)}` at its own pace (ffmpeg -re, a live 25 fps source), analysed at 5 fps with {(model is null ? "the motion detector" : Path.GetFileName(model))}, 1 thread, watching what `vigie analyze FILE` watches (person on the ground, weapon, fire, abandoned object, crowd movement on the whole image); frames beyond what analysis keeps up with are dropped (oldest first) and counted. Each count of cameras runs 12 s, three times; each figure is the median of the three.");
        sb.AppendLine("- Memory: peak working set of the Vigie process above its idle level, per camera; and the peak resident memory of the cameras' ffmpeg decoders (one process each), per camera.");
        sb.AppendLine();
        sb.AppendLine("| cameras | frames analysed | frames dropped | stream time behind wall clock s | engine memory per camera MB | decoder memory per camera MB |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var r in capacity) sb.AppendLine(inv, $"| {r.Cameras} | {r.Analysed} | {r.Dropped} | {r.LagSeconds:0.0} | {r.MemoryPerCameraMb:0} | {r.DecoderMemoryPerCameraMb:0} |");
        var held = capacity.Where(r => Holds(r, capacity[0])).Select(r => r.Cameras).DefaultIfEmpty(0).Max();
        sb.AppendLine();
        var largest = held == capacity[^1].Cameras ? " (the largest step tried)" : "";
        sb.AppendLine(inv, $"Cameras held (≤ 1 % frames dropped, no more than 1 s further behind than one camera, which includes start-up): **{held}**{largest}.");
        if (latencies.Count > 0)
        {
            var sorted = latencies.Order().ToList();
            sb.AppendLine();
            sb.AppendLine(inv, $"Alert latency (frame out of the decoder → alert emitted), {sorted.Count} alerts on the synthetic scene played live: " +
                               $"median {PipelineBenchmark.Median(sorted):0.0} ms, max {sorted[^1]:0.0} ms.");
        }
        return sb.ToString();
    }

    private sealed class LatencyObserver : IAnalysisObserver
    {
        public List<double> Latencies { get; } = [];

        public void OnFrameAnalysed(AnalysedFrame frame)
        {
            if (frame.Changes.Any(c => !c.Closed))
                Latencies.Add(Stopwatch.GetElapsedTime(frame.Frame.ReceivedAt).TotalMilliseconds);
        }
    }
}
