using Microsoft.Extensions.Logging;
using Vigie.Config;
using Vigie.Pipeline;
using Vigie.Video;

namespace Vigie.Evaluation;

/// <summary>A frame whose people were counted by hand: the clip (relative to the data folder), its time and the count.</summary>
public sealed record HandCount(string File, double TimeS, double Count);

/// <summary>The hand-count file read by `vigie eval --counts` (format: docs/GROUND_TRUTH.md).</summary>
public sealed record HandCountFile(string? Note, IReadOnlyList<HandCount> Frames);

/// <summary>One hand-counted frame against the people count the crowd-density rule measured there.</summary>
public sealed record CountRow(string File, double TimeS, double Truth, double? Counted, string? Error)
{
    public double? AbsoluteError => Counted is { } c ? Math.Round(Math.Abs(c - Truth), 2) : null;
}

/// <summary>Counting error over the hand-counted frames: mean absolute error and mean error relative to the true count.</summary>
public sealed record CountingReport(int Frames, double? MeanAbsoluteError, double? MeanRelativeError, IReadOnlyList<CountRow> Rows)
{
    public static CountingReport From(IReadOnlyList<CountRow> rows)
    {
        var measured = rows.Where(r => r.Counted is not null).ToList();
        return new CountingReport(rows.Count,
            measured.Count == 0 ? null : Math.Round(measured.Average(r => r.AbsoluteError!.Value), 2),
            measured.Count == 0 ? null : Math.Round(measured.Average(r => r.AbsoluteError!.Value / Math.Max(1, r.Truth)), 3),
            rows);
    }
}

/// <summary>
/// Runs the crowd-density count (detections in a whole-image zone, lifted by the foreground estimate
/// when the detector misses people) on each clip of a hand-count file and compares it with the counts.
/// </summary>
public static class PeopleCounting
{
    // The analysed frame nearest to the counted time must be this close; further, nothing is compared.
    private const double MaxOffsetS = 0.25;

    public static HandCountFile Load(string path)
    {
        var file = GroundTruth.ReadAnnotations<HandCountFile>(path, "hand-count file");
        if (file?.Frames is not { Count: > 0 }) throw new InvalidDataException($"{path}: no 'frames' list");
        var errors = new List<string>();
        for (int i = 0; i < file.Frames.Count; i++)
        {
            var f = file.Frames[i];
            if (string.IsNullOrWhiteSpace(f.File)) errors.Add($"frames[{i}].file: must name a video");
            if (f.TimeS < 0) errors.Add($"frames[{i}].time_s: must be zero or more seconds");
            if (f.Count < 0) errors.Add($"frames[{i}].count: must be zero or more people");
        }
        if (errors.Count > 0) throw new InvalidDataException($"{path}:\n  " + string.Join("\n  ", errors));
        return file;
    }

    public static async Task<CountingReport> RunAsync(HandCountFile counts, string dataFolder, SceneConfig baseConfig,
        Action<string> progress, ILogger logger, CancellationToken ct)
    {
        var rows = new List<CountRow>();
        var clips = counts.Frames.GroupBy(f => f.File).ToList();
        for (int i = 0; i < clips.Count; i++)
        {
            var clip = clips[i];
            var wanted = clip.ToList();
            var (measured, error) = await MeasureAsync(Path.Combine(dataFolder, clip.Key), baseConfig, logger, ct);
            foreach (var frame in wanted)
            {
                var nearest = measured.MinBy(m => Math.Abs(m.TimeS - frame.TimeS));
                rows.Add(nearest is { } n && Math.Abs(n.TimeS - frame.TimeS) <= MaxOffsetS
                    ? new CountRow(frame.File, frame.TimeS, frame.Count, n.Persons, null)
                    : new CountRow(frame.File, frame.TimeS, frame.Count, null, error ?? $"no analysed frame within {MaxOffsetS} s of {frame.TimeS} s"));
            }
            progress($"[{i + 1}/{clips.Count}] {clip.Key}: " + string.Join(", ", rows.TakeLast(wanted.Count)
                .Select(r => $"{r.TimeS:0.0} s counted {(r.Counted is { } c ? c.ToString("0") : "-")} / {r.Truth:0} by hand")));
        }
        return CountingReport.From(rows);
    }

    private static async Task<(List<(double TimeS, double Persons)> Measured, string? Error)> MeasureAsync(
        string path, SceneConfig baseConfig, ILogger logger, CancellationToken ct)
    {
        var camera = new CameraConfig { Name = Path.GetFileNameWithoutExtension(path) };
        // No alert is wanted, only the count: a limit nobody reaches.
        camera.UseCases.CrowdDensity = new CrowdDensityConfig { MaxPersons = 1_000_000 };
        var config = baseConfig.WithOnlyCamera(camera);
        var counter = new CountCollector();
        try
        {
            await using var prepared = await AnalysisSetup.PrepareAsync(new AnalysisRequest(path, config), logger, ct);
            var result = await prepared.Pipeline.RunAsync(counter, ct);
            return (counter.Measured, result.Problem);
        }
        catch (Exception e) when (e is VideoSourceException or ConfigException or InvalidDataException or FileNotFoundException)
        {
            return (counter.Measured, e.Message);
        }
    }

    private sealed class CountCollector : IAnalysisObserver
    {
        public List<(double TimeS, double Persons)> Measured { get; } = [];

        public void OnFrameAnalysed(AnalysedFrame frame)
        {
            foreach (var m in frame.Measurements.Where(m => m.Name == "persons"))
                Measured.Add((frame.Frame.Timestamp.TotalSeconds, m.Value));
        }
    }
}
