using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Vigie.Analytics;
using Vigie.Pipeline;
using Vigie.Tracking;
using Vigie.Video;

namespace Vigie.Bench;

/// <summary>Memory at one moment of a long run: how much footage was analysed by then, and what the processes held.</summary>
public sealed record SoakSample(double VideoMinutes, double WallSeconds, double WorkingSetMb, double ManagedHeapMb, double DecoderMb);

/// <summary>A long run's memory samples and what it analysed.</summary>
public sealed record SoakResult(IReadOnlyList<SoakSample> Samples, double FootageMinutes, long FramesAnalysed, long TracksEnded, long EventsOpened)
{
    /// <summary>
    /// A figure's growth in MB per hour of footage over the run's second half (least squares): the first half holds
    /// the start-up (models, the JIT, buffers reaching their size); a leak shows as a steady slope after it.
    /// </summary>
    public double GrowthMbPerHour(Func<SoakSample, double> figure)
    {
        var late = Samples.Where(s => s.VideoMinutes >= Samples[^1].VideoMinutes / 2).ToList();
        if (late.Count < 2) return 0;
        double mx = late.Average(s => s.VideoMinutes), my = late.Average(figure);
        var sxx = late.Sum(s => (s.VideoMinutes - mx) * (s.VideoMinutes - mx));
        return sxx == 0 ? 0 : late.Sum(s => (s.VideoMinutes - mx) * (figure(s) - my)) / sxx * 60;
    }
}

/// <summary>
/// Memory over a long run (an hour of footage by default): a service watches cameras for weeks, and a frame's
/// picture, a track or a rule's memory of someone kept by mistake adds up over hours, not over the seconds the
/// other benchmarks run. The engine analyses a real clip played over and over (each replay a cut in the footage,
/// as after a lost stream) as fast as it can, with the rules `vigie analyze FILE` runs, and the process's memory
/// is sampled as the footage goes by.
/// </summary>
public static class SoakBenchmark
{
    /// <summary>The clip encoded once as a camera records, then replayed end to end to at least <paramref name="length"/>.</summary>
    public static async Task<string> MakeRecordingAsync(string clip, string folder, TimeSpan length, Action<string> report, CancellationToken ct)
    {
        if (!File.Exists(clip)) throw new VideoSourceException($"{clip}: no such file");
        Directory.CreateDirectory(folder);
        var name = Path.GetFileNameWithoutExtension(clip);
        var recording = Path.Combine(folder, $"{name}-{(int)length.TotalMinutes}min.mp4");
        if (File.Exists(recording)) return recording;
        report($"making the {length.TotalMinutes:0}-minute recording (once; kept in {folder})");
        var once = Path.Combine(folder, $"{name}-once.mp4");
        await BenchParts.FfmpegAsync(["-i", clip, .. BenchParts.CameraEncoding, once], ct);
        double clipSeconds;
        await using (var probe = await FfmpegSource.OpenAsync(once, new DecodeOptions(), ct))
            clipSeconds = probe.Info.Duration?.TotalSeconds ?? throw new VideoSourceException($"{clip}: its length is unknown");
        // Written under another name first: a run stopped half way leaves no short recording to be taken for the whole.
        var partial = Path.Combine(folder, $"{name}-{(int)length.TotalMinutes}min.partial.mp4");
        await BenchParts.ConcatAsync(Enumerable.Repeat(once, (int)Math.Ceiling(length.TotalSeconds / clipSeconds)).ToList(), partial, ct);
        File.Move(partial, recording, overwrite: true);
        return recording;
    }

    public static async Task<SoakResult> RunAsync(string recording, string? model, TimeSpan sampleEvery, Action<string> report, CancellationToken ct)
    {
        await using var prepared = await AnalysisSetup.PrepareAsync(new AnalysisRequest(recording, BenchParts.Config(model, watched: true)),
            NullLogger.Instance, ct);
        var sampler = new Sampler(sampleEvery, report);
        var result = await prepared.Pipeline.RunAsync(sampler, ct);
        // Stopped (Ctrl+C), the pipeline ends as at the end of the footage: a part of the run is not the figure asked for.
        ct.ThrowIfCancellationRequested();
        if (result.SourceError is { } e) throw e;
        return new SoakResult(sampler.Samples, result.LastTimestamp.TotalMinutes, result.FramesAnalysed, sampler.TracksEnded, sampler.EventsOpened);
    }

    public static string ToMarkdown(SoakResult r, string clip, string? model, string machine, DateTimeOffset when)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = BenchParts.Section("Memory over a long run (`vigie bench --soak`)", machine, when);
        sb.AppendLine(inv, $"- `{Path.GetFileName(clip)}` replayed end to end for {r.FootageMinutes:0.#} minutes of footage (each replay a cut, as after a lost stream), analysed as fast as the machine goes at 5 fps with {(model is null ? "the motion detector" : Path.GetFileName(model))}, watching what `vigie analyze FILE` watches; the service's storage and console are not in it.");
        sb.AppendLine(inv, $"- Analysed {r.FramesAnalysed} frames; {r.TracksEnded} tracks ended, {r.EventsOpened} events raised.");
        sb.AppendLine("- Working set: the whole process (models, buffers, OpenCV pictures); managed heap: .NET objects still in use (after a full collection); decoder: the ffmpeg child's resident memory.");
        sb.AppendLine();
        sb.AppendLine("| footage min | wall-clock s | working set MB | managed heap MB | decoder MB |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var s in r.Samples)
            sb.AppendLine(inv, $"| {s.VideoMinutes:0.0} | {s.WallSeconds:0} | {s.WorkingSetMb:0} | {s.ManagedHeapMb:0.0} | {s.DecoderMb:0} |");
        sb.AppendLine();
        sb.AppendLine(inv, $"Growth over the second half, per hour of footage (least squares): working set **{r.GrowthMbPerHour(s => s.WorkingSetMb):+0.0;-0.0;0} MB**, managed heap {r.GrowthMbPerHour(s => s.ManagedHeapMb):+0.0;-0.0;0} MB, decoder {r.GrowthMbPerHour(s => s.DecoderMb):+0.0;-0.0;0} MB.");
        return sb.ToString();
    }

    /// <summary>Samples memory on the first frame and each time the footage passes another <c>every</c>, on the analysis thread (the decoder still running).</summary>
    private sealed class Sampler(TimeSpan every, Action<string> report) : IAnalysisObserver
    {
        private readonly Process _process = Process.GetCurrentProcess();
        private readonly long _start = Stopwatch.GetTimestamp();
        private TimeSpan _next = TimeSpan.Zero;

        public List<SoakSample> Samples { get; } = [];
        public long TracksEnded { get; private set; }
        public long EventsOpened { get; private set; }

        public void OnFrameAnalysed(AnalysedFrame frame)
        {
            if (frame.Frame.Timestamp < _next) return;
            Sample(frame.Frame.Timestamp);
            while (_next <= frame.Frame.Timestamp) _next += every;
        }

        public void OnEvent(EventChange change)
        {
            if (!change.Closed) EventsOpened++;
        }

        public void OnTrackEnded(Track track) => TracksEnded++;

        private void Sample(TimeSpan footage)
        {
            const double Mb = 1024.0 * 1024;
            _process.Refresh();
            var sample = new SoakSample(footage.TotalMinutes, Stopwatch.GetElapsedTime(_start).TotalSeconds, _process.WorkingSet64 / Mb,
                GC.GetTotalMemory(forceFullCollection: true) / Mb, BenchParts.ChildProcessesResidentBytes(_process.Id) / Mb);
            Samples.Add(sample);
            report(string.Create(CultureInfo.InvariantCulture,
                $"soak: {sample.VideoMinutes:0.0} min of footage, working set {sample.WorkingSetMb:0} MB, managed heap {sample.ManagedHeapMb:0.0} MB, decoder {sample.DecoderMb:0} MB"));
        }
    }
}
