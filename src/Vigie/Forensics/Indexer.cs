using Microsoft.Extensions.Logging;
using OpenCvSharp;
using Vigie.Perception;
using Vigie.Analytics;
using Vigie.Config;
using Vigie.Pipeline;
using Vigie.Video;

namespace Vigie.Forensics;

/// <summary>What to index and where the index goes.</summary>
/// <param name="Privacy">Makes one privacy filter per worker (a face detector is not shared between threads).</param>
public sealed record IndexRequest(IReadOnlyList<string> Recordings, SceneConfig Config, string IndexFolder, Func<PrivacyFilter> Privacy)
{
    public string? Camera { get; init; }
    /// <summary>Clock time of the first frame, for a single recording whose file does not say it.</summary>
    public DateTimeOffset? Start { get; init; }
    public int Workers { get; init; } = Environment.ProcessorCount;
}

/// <summary>Video time done out of the total to do (for the index, warm-up overlaps included), for a progress bar.</summary>
public readonly record struct VideoProgress(TimeSpan Done, TimeSpan Total);

/// <param name="Gaps">Stretches with no picture (the recorder paused), from the start of the recording.</param>
public sealed record RecordingOutcome(string Path, TimeSpan Duration, int Tracks, int Events, string? Problem, IReadOnlyList<FootageGap> Gaps);

public sealed record IndexSummary(IReadOnlyList<RecordingOutcome> Recordings, long FramesAnalysed, long FramesGated, int Pieces, TimeSpan WarmUp)
{
    public TimeSpan VideoIndexed => Recordings.Aggregate(TimeSpan.Zero, (a, r) => a + r.Duration);
}

/// <summary>
/// `vigie index`: recordings analysed as fast as the machine allows. Files (or, with few files, stretches
/// of them) are shared among the cores, each piece running the same pipeline and rules as a live
/// camera, with motion gating and lean decoding; then the pieces are joined and stored in the index.
/// A recording that cannot be read is reported and the others go on; a damaged one keeps what was read.
/// </summary>
public static class Indexer
{
    public static readonly IReadOnlySet<string> VideoExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".mkv", ".avi", ".mov", ".ts", ".m4v", ".webm", ".flv", ".mpg", ".mpeg", ".3gp", ".wmv", ".h264", ".h265", ".264", ".265",
    };

    /// <summary>A file, or the video files of a folder and its subfolders in name order.</summary>
    public static IReadOnlyList<string> FindRecordings(string fileOrFolder)
    {
        if (File.Exists(fileOrFolder)) return [Path.GetFullPath(fileOrFolder)];
        if (!Directory.Exists(fileOrFolder)) throw new FileNotFoundException($"{fileOrFolder}: no such file or folder");
        var files = Directory.EnumerateFiles(fileOrFolder, "*", SearchOption.AllDirectories)
            .Where(f => VideoExtensions.Contains(Path.GetExtension(f)))
            .Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new FileNotFoundException($"{fileOrFolder}: no video recordings in this folder ({string.Join(" ", VideoExtensions.Order())})");
        return files;
    }

    public static async Task<IndexSummary> RunAsync(IndexRequest request, Action<VideoProgress>? progress, ILogger logger, CancellationToken ct)
    {
        var camera = request.Camera is { } name
            ? request.Config.Cameras.FirstOrDefault(c => c.Name == name)
              ?? throw new ConfigException("--camera", [$"no camera named '{name}' in the configuration"])
            : request.Config.Cameras.FirstOrDefault() ?? new CameraConfig();
        if (request.Start is not null && request.Recordings.Count > 1)
            throw new ConfigException("--start", ["applies to one recording; in a folder each file's own time is used"]);
        var site = request.Config.SiteZone();
        // A bad model is the user's to fix before anything is decoded, not once per piece.
        using (SceneCompiler.Detector(request.Config.Detector, 1)) { }

        var outcomes = new RecordingOutcome?[request.Recordings.Count];
        var probes = new (StreamInfo Info, DateTimeOffset Start)?[request.Recordings.Count];
        // A folder of many short recordings (motion-triggered ones) spends more time starting ffprobe than probing.
        await Parallel.ForEachAsync(Enumerable.Range(0, request.Recordings.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 2 * Math.Max(1, request.Workers), CancellationToken = ct },
            async (r, token) =>
            {
                var path = request.Recordings[r];
                try
                {
                    await using var probe = await FfmpegSource.OpenAsync(path, new DecodeOptions(), token);
                    if (probe.Info.Duration is not { } d || d <= TimeSpan.Zero) throw new VideoSourceException($"{path}: its length cannot be read");
                    var start = SiteTime.On(site, request.Start ?? (request.Recordings.Count == 1 ? camera.StartClock(site) : null)
                        ?? AnalysisSetup.RecordingStart(path, probe.Info));
                    probes[r] = (probe.Info, start);
                }
                catch (VideoSourceException e)
                {
                    outcomes[r] = new RecordingOutcome(path, TimeSpan.Zero, 0, 0, e.Message, []);
                }
            });

        var readable = Enumerable.Range(0, request.Recordings.Count).Where(r => probes[r] is not null).ToList();
        var warmUp = IndexPlan.WarmUp(camera);
        var pieces = IndexPlan.Split(readable.Select(r => probes[r]!.Value.Info.Duration!.Value).ToList(), request.Workers, warmUp)
            .Select(p => p with { Recording = readable[p.Recording] }).ToList();
        // Fewer pieces than cores (a short recording, or rules whose long warm-up makes splitting it not
        // worth it): each piece decodes and detects on the cores nobody else uses.
        var threadsPerPiece = Math.Max(1, request.Workers / Math.Max(1, pieces.Count));
        var total = pieces.Aggregate(TimeSpan.Zero, (a, p) => a + (p.To - p.DecodeFrom));
        var done = new long[pieces.Count];
        void Advance(int i, TimeSpan t)
        {
            Interlocked.Exchange(ref done[i], Math.Max(0, (t - pieces[i].DecodeFrom).Ticks));
            progress?.Invoke(new VideoProgress(TimeSpan.FromTicks(done.Sum()), total));
        }

        Directory.CreateDirectory(Path.Combine(request.IndexFolder, PieceRecorder.ThumbnailFolder));
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var results = new (PieceResult Result, List<Mat> Background, AnalysisResult? Run, string? Problem)?[pieces.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, pieces.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Workers), CancellationToken = ct },
            async (i, token) =>
            {
                var piece = pieces[i];
                var (info, start) = probes[piece.Recording]!.Value;
                using var recorder = new PieceRecorder(piece, request.IndexFolder, stamp, request.Privacy(), t => Advance(i, t));
                string? problem = null;
                AnalysisResult? run = null;
                try
                {
                    var analysis = new AnalysisRequest(request.Recordings[piece.Recording], request.Config, request.Camera,
                        start, Threads: threadsPerPiece)
                    {
                        Excerpt = (piece.DecodeFrom, piece.To - piece.DecodeFrom),
                        Forensic = true,
                    };
                    await using var prepared = await AnalysisSetup.PrepareAsync(analysis, logger, token);
                    run = await prepared.Pipeline.RunAsync(recorder, token);
                    problem = run.Problem;
                }
                catch (VideoSourceException e)
                {
                    problem = e.Message;
                }
                Advance(i, piece.To);
                results[i] = (recorder.Result(), recorder.BackgroundSamples.Select(m => m.Clone()).ToList(), run, problem);
            });

        // Each recording's pieces joined, its background made and its thumbnails checked against it, recordings
        // side by side (a folder of short ones has as many); then stored one after the other.
        var zones = camera.Zones.Select(z => SceneCompiler.Zone(z, site)).ToList();
        var lines = camera.Lines.Select(SceneCompiler.Line).ToList();
        var ground = SceneCompiler.Ground(camera.Calibration);
        var detector = request.Config.Detector.IsModel ? Path.GetFileName(request.Config.Detector.Model ?? "") : "motion";
        var finished = new FinishedRecording?[request.Recordings.Count];
        // Backgrounds are looked at one at a time by one model (a few milliseconds each).
        using var backgroundPeople = BackgroundPrivacy.For(request.Config.Detector);
        var backgroundPrivacy = request.Privacy();
        await Parallel.ForEachAsync(readable, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Workers), CancellationToken = ct },
            (r, _) =>
            {
                var mine = Enumerable.Range(0, pieces.Count).Where(i => pieces[i].Recording == r && results[i] is not null).Select(i => results[i]!.Value).ToList();
                var (info, start) = probes[r]!.Value;
                var (tracks, events) = PieceStitching.Join(mine.Select(m => m.Result).ToList(),
                    thumb => File.Delete(Path.Combine(request.IndexFolder, thumb)));
                var samples = mine.SelectMany(m => m.Background).ToList();
                string? background = null;
                if (samples.Count > 0)
                {
                    background = Path.Combine(PieceRecorder.ThumbnailFolder, $"{stamp}-{r}-background.jpg");
                    using var median = SceneBackground.Median(samples);
                    if (backgroundPeople is not null)
                        lock (backgroundPeople) backgroundPeople.HidePeople(median, backgroundPrivacy);
                    if (!Cv2.ImWrite(Path.Combine(request.IndexFolder, background), median))
                        throw new IOException($"cannot write {background} (disk full?)");
                    ThumbnailPrivacy.HideUnknown(request.IndexFolder, tracks.Select(t => t.Thumbnail).OfType<Thumbnail>(), median);
                }
                var width = samples.FirstOrDefault()?.Width ?? 0;
                var height = samples.FirstOrDefault()?.Height ?? 0;
                foreach (var sample in samples) sample.Dispose();
                var recording = new IndexedRecording(0, request.Recordings[r], camera.Name, start, info.Duration!.Value.TotalSeconds,
                    width, height, info.Fps, detector, background);
                var problems = mine.Where(m => m.Problem is not null).Select(m => m.Problem!).Distinct().ToList();
                finished[r] = new FinishedRecording(recording, tracks.Select(t => (TrackFactsBuilder.Build(t.Path, zones, lines, ground), t)).ToList(),
                    events, FootageGap.Union(mine.SelectMany(m => m.Run?.Gaps ?? [])), problems.Count > 0 ? string.Join("; ", problems) : null);
                return ValueTask.CompletedTask;
            });

        using var index = TrackIndex.Create(request.IndexFolder);
        foreach (var r in readable)
        {
            var joined = finished[r]!;
            index.Add(joined.Recording, joined.Tracks, joined.Events, joined.Gaps);
            outcomes[r] = new RecordingOutcome(request.Recordings[r], TimeSpan.FromSeconds(joined.Recording.DurationS), joined.Tracks.Count,
                joined.Events.Count, joined.Problem, joined.Gaps);
        }
        var runs = results.Where(x => x?.Run is not null).Select(x => x!.Value.Run!).ToList();
        return new IndexSummary(outcomes.Select(o => o!).ToList(), runs.Sum(x => x.FramesAnalysed), runs.Sum(x => x.FramesGated), pieces.Count, warmUp);
    }
}

/// <summary>One recording joined from its pieces, ready to be stored.</summary>
internal sealed record FinishedRecording(IndexedRecording Recording, IReadOnlyList<(TrackFacts Facts, IndexedPath Path)> Tracks,
    IReadOnlyList<SceneEvent> Events, IReadOnlyList<FootageGap> Gaps, string? Problem);
