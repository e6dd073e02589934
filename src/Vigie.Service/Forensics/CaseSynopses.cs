using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Vigie.Forensics;
using Vigie.Video;

namespace Vigie.Service.Forensics;

/// <summary>The figures of a synopsis made for the console.</summary>
public sealed record SynopsisSummary(string Camera, int Objects, double SourceS, double SynopsisS, double Condensation,
    double OverlapFraction, int CollidingPairs);

/// <summary>Where a synopsis stands: waiting its turn, being made (progress 0..1), ready (with its figures) or failed (why).</summary>
public sealed record SynopsisState(string Id, string State, double Progress, SynopsisSummary? Summary, string? Problem)
{
    public const string Waiting = "waiting", Making = "making", Ready = "ready", Failed = "failed";
}

/// <summary>
/// Synopses of search results asked for from the console: made in the background, followed, stopped or
/// deleted. The list of jobs lives in memory; made synopses stay in their case folder.
/// </summary>
public sealed partial class CaseSynopses(ForensicCases cases, ILogger<CaseSynopses> logger)
{
    /// <summary>Where a synopsis made earlier lies; null when there is none by that id.</summary>
    public static string? Video(TrackIndex index, string id) =>
        SynopsisId().IsMatch(id) && File.Exists(SynopsisPath(index.Folder, id)) ? SynopsisPath(index.Folder, id) : null;

    private static string SynopsisPath(string caseFolder, string id) => Path.Combine(caseFolder, "synopses", $"synopsis-{id}.mp4");

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial System.Text.RegularExpressions.Regex SynopsisId();

    private readonly ConcurrentDictionary<(string Case, string Id), SynopsisState> _synopses = new();
    private readonly ConcurrentDictionary<(string Case, string Id), CancellationTokenSource> _running = new();

    /// <summary>
    /// Starts making the synopsis of the tracks a search selected (<see cref="Synopsis.Select"/>; people
    /// pixelated), once per selection and length (<paramref name="selection"/> names them); it is made in
    /// the background, one video job at a time with the excerpts, and kept in the case folder. Returns
    /// where it stands.
    /// </summary>
    public SynopsisState Start(string caseName, TrackQuery query, IReadOnlyList<IndexedTrack> tracks, TimeSpan length, string selection)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{selection}|{length.TotalSeconds}")))[..16];
        if (Status(caseName, id) is { State: not SynopsisState.Failed } known) return known;
        var waiting = new SynopsisState(id, SynopsisState.Waiting, 0, null, null);
        var stop = new CancellationTokenSource();
        _running[(caseName, id)] = stop;
        _synopses[(caseName, id)] = waiting;
        _ = Task.Run(() => MakeAsync(caseName, id, query, tracks, length, stop));
        return waiting;
    }

    /// <summary>
    /// Stops a synopsis being made (nothing of it is kept) or deletes one made earlier; it can be asked
    /// for again. False when there is none by that id.
    /// </summary>
    public bool Remove(string caseName, string id)
    {
        if (!SynopsisId().IsMatch(id)) return false;
        var key = (caseName, id);
        var known = _synopses.TryRemove(key, out _);
        if (_running.TryGetValue(key, out var stop))
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It finished meanwhile: its video, if any, goes below.
            }
        }
        using var index = cases.Open(caseName);
        if (index is null) return known;
        var video = SynopsisPath(index.Folder, id);
        var made = File.Exists(video);
        foreach (var path in new[] { video, Path.ChangeExtension(video, ".json") })
            if (File.Exists(path)) File.Delete(path);
        return known || made;
    }

    /// <summary>Where a synopsis stands (being made, or made earlier); null when there is none by that id.</summary>
    public SynopsisState? Status(string caseName, string id)
    {
        if (!SynopsisId().IsMatch(id)) return null;
        if (_synopses.TryGetValue((caseName, id), out var state)) return state;
        using var index = cases.Open(caseName);
        if (index is null) return null;
        var summaryPath = Path.ChangeExtension(SynopsisPath(index.Folder, id), ".json");
        return File.Exists(summaryPath) && Video(index, id) is not null
            ? new SynopsisState(id, SynopsisState.Ready, 1, System.Text.Json.JsonSerializer.Deserialize<SynopsisSummary>(File.ReadAllText(summaryPath)), null)
            : null;
    }

    private async Task MakeAsync(string caseName, string id, TrackQuery query, IReadOnlyList<IndexedTrack> tracks, TimeSpan length, CancellationTokenSource job)
    {
        var key = (caseName, id);
        var stop = job.Token;
        string? partial = null;
        try
        {
            await cases.VideoTurn.WaitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            Finished(key, job);
            return;
        }
        try
        {
            using var index = cases.Open(caseName) ?? throw new InvalidDataException($"case {caseName} is gone");
            var video = SynopsisPath(index.Folder, id);
            Directory.CreateDirectory(Path.GetDirectoryName(video)!);
            partial = video + ".part.mp4";
            Report(key, job, new SynopsisState(id, SynopsisState.Making, 0, null, null));
            var report = await Synopsis.RenderAsync(index, new SynopsisRequest(query, new SynopsisTarget(length.TotalSeconds, null), partial, cases.Privacy),
                line => logger.LogInformation("synopsis {Id} of {Case}: {Line}", id, caseName, line),
                p => Report(key, job, new SynopsisState(id, SynopsisState.Making, Math.Round(p.Done / p.Total, 3), null, null)), stop, tracks);
            stop.ThrowIfCancellationRequested();
            var summary = new SynopsisSummary(report.Camera, report.Objects, Math.Round(report.SourceS, 1), Math.Round(report.SynopsisS, 1),
                Math.Round(report.Condensation, 2), Math.Round(report.OverlapFraction, 4), report.CollidingPairs);
            File.Move(partial, video, overwrite: true);
            await File.WriteAllTextAsync(Path.ChangeExtension(video, ".json"), System.Text.Json.JsonSerializer.Serialize(summary));
            Report(key, job, new SynopsisState(id, SynopsisState.Ready, 1, summary, null));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            logger.LogInformation("synopsis {Id} of {Case} stopped by a user", id, caseName);
            ForensicCases.Forget(partial);
        }
        catch (Exception e) when (e is VideoSourceException or InvalidDataException or FormatException or IOException)
        {
            logger.LogWarning("synopsis {Id} of {Case} failed: {Message}", id, caseName, e.Message);
            Report(key, job, new SynopsisState(id, SynopsisState.Failed, 0, null, e.Message));
            ForensicCases.Forget(partial);
        }
        catch (Exception e)
        {
            logger.LogError(e, "synopsis {Id} of {Case} failed", id, caseName);
            Report(key, job, new SynopsisState(id, SynopsisState.Failed, 0, null, "internal error (see the service log)"));
            ForensicCases.Forget(partial);
        }
        finally
        {
            cases.VideoTurn.Release();
            Finished(key, job);
        }
    }

    /// <summary>A job's news, unless it was stopped meanwhile (its state is gone then and stays gone).</summary>
    private void Report((string Case, string Id) key, CancellationTokenSource job, SynopsisState state)
    {
        if (!job.IsCancellationRequested) _synopses[key] = state;
    }

    /// <summary>The job is over; a job asked for again after a stop is another one and keeps its own entry.</summary>
    private void Finished((string Case, string Id) key, CancellationTokenSource job)
    {
        _running.TryRemove(KeyValuePair.Create(key, job));
        job.Dispose();
    }
}
