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

/// <summary>What a synopsis was asked with, kept beside it until it is made: the search as typed and the length.</summary>
public sealed record SynopsisJob(SearchFields Search, double LengthS);

/// <summary>
/// Synopses of search results asked for from the console: made in the background, followed, stopped or
/// deleted. Where each stands lives in memory; made synopses stay in their case folder, and a synopsis
/// asked for and not made yet has a job file there, so that one cut short by the service stopping is
/// made again at the next start (<see cref="ResumeUnfinished"/>).
/// </summary>
public sealed partial class CaseSynopses(ForensicCases cases, ILogger<CaseSynopses> logger) : IDisposable
{
    /// <summary>Where a synopsis made earlier lies; null when there is none by that id.</summary>
    public static string? Video(TrackIndex index, string id) =>
        SynopsisId().IsMatch(id) && File.Exists(SynopsisPath(index.Folder, id)) ? SynopsisPath(index.Folder, id) : null;

    private static string SynopsisPath(string caseFolder, string id) => Path.Combine(caseFolder, "synopses", $"synopsis-{id}.mp4");

    private string JobPath(string caseName, string id) => Path.Combine(cases.Folder, caseName, "synopses", $"synopsis-{id}.job.json");

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial System.Text.RegularExpressions.Regex SynopsisId();

    private readonly ConcurrentDictionary<(string Case, string Id), SynopsisState> _synopses = new();
    private readonly ConcurrentDictionary<(string Case, string Id), CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Task, byte> _jobs = new();
    private volatile bool _stopping;

    /// <summary>
    /// Starts making the synopsis of the tracks a search selected (<see cref="Synopsis.Select"/>; people
    /// pixelated), once per selection and length (<paramref name="selection"/> names them); it is made in
    /// the background, one video job at a time with the excerpts, and kept in the case folder. Returns
    /// where it stands.
    /// </summary>
    public SynopsisState Start(string caseName, TrackQuery query, IReadOnlyList<IndexedTrack> tracks, TimeSpan length, string selection, SearchFields search)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{selection}|{length.TotalSeconds}")))[..16];
        if (Status(caseName, id) is { State: not SynopsisState.Failed } known) return known;
        var job = JobPath(caseName, id);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(job)!);
            File.WriteAllText(job, System.Text.Json.JsonSerializer.Serialize(new SynopsisJob(search, length.TotalSeconds)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The synopsis is still tried (and fails with its reason if the folder cannot take it either).
            // A half-written job file is dropped as unreadable at the next start.
            logger.LogWarning("synopsis {Id} of {Case}: its job file could not be written, it will not be made again after a restart: {Message}",
                id, caseName, e.Message);
        }
        return Begin(caseName, id, query, tracks, length);
    }

    private SynopsisState Begin(string caseName, string id, TrackQuery query, IReadOnlyList<IndexedTrack> tracks, TimeSpan length)
    {
        var waiting = new SynopsisState(id, SynopsisState.Waiting, 0, null, null);
        var stop = new CancellationTokenSource();
        _running[(caseName, id)] = stop;
        _synopses[(caseName, id)] = waiting;
        var made = Task.Run(() => MakeAsync(caseName, id, query, tracks, length, stop));
        _jobs[made] = 0;
        made.ContinueWith(t => _jobs.TryRemove(t, out _), TaskScheduler.Default);
        return waiting;
    }

    /// <summary>
    /// Makes again the synopses asked for before the service stopped and not made then (their job files);
    /// a job that can no longer be made (its case gone, its filters no longer valid) is dropped with a
    /// warning. Returns how many were started again.
    /// </summary>
    public int ResumeUnfinished()
    {
        var resumed = 0;
        foreach (var caseName in cases.List().Select(c => c.Name))
        {
            var folder = Path.Combine(cases.Folder, caseName, "synopses");
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "synopsis-*.job.json"))
            {
                var id = Path.GetFileName(file)["synopsis-".Length..^".job.json".Length];
                try
                {
                    var job = System.Text.Json.JsonSerializer.Deserialize<SynopsisJob>(File.ReadAllText(file))
                        ?? throw new InvalidDataException("empty job file");
                    using var index = cases.Open(caseName) ?? throw new InvalidDataException($"case {caseName} is gone");
                    var (query, problems) = job.Search.Read(index, 10000);
                    if (problems.Count > 0) throw new FormatException(string.Join("; ", problems.Select(p => p.Message)));
                    var tracks = Synopsis.Select(index, new SynopsisRequest(query, new SynopsisTarget(job.LengthS, null), "", PrivacyFilter.PeopleOnly));
                    Begin(caseName, id, query, tracks, TimeSpan.FromSeconds(job.LengthS));
                    logger.LogInformation("synopsis {Id} of {Case}: asked before the service stopped, made again", id, caseName);
                    resumed++;
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or FormatException or IOException)
                {
                    logger.LogWarning("synopsis {Id} of {Case} asked before the service stopped cannot be made again, dropped: {Message}", id, caseName, e.Message);
                    File.Delete(file);
                }
            }
        }
        return resumed;
    }

    /// <summary>The service stops: synopses being made stop too and keep their job files, to be made at the next start.</summary>
    public void Dispose()
    {
        _stopping = true;
        foreach (var stop in _running.Values)
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }
        // Let them clear their half-made files before anything else uses the folder.
        Task.WaitAll(_jobs.Keys.ToArray(), TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Stops a synopsis being made (nothing of it is kept) or deletes one made earlier; it can be asked
    /// for again. False when there is none by that id.
    /// </summary>
    public bool Remove(string caseName, string id)
    {
        if (!SynopsisId().IsMatch(id) || !ForensicCases.IsCaseName(caseName)) return false;
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
        var job = JobPath(caseName, id);
        var asked = File.Exists(job);
        if (asked) File.Delete(job);
        using var index = cases.Open(caseName);
        if (index is null) return known || asked;
        var video = SynopsisPath(index.Folder, id);
        var made = File.Exists(video);
        foreach (var path in new[] { video, Path.ChangeExtension(video, ".json") })
            if (File.Exists(path)) File.Delete(path);
        return known || asked || made;
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
        try
        {
            await cases.VideoTurn.WaitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            Finished(caseName, id, job);
            return;
        }
        try
        {
            using var index = cases.Open(caseName) ?? throw new InvalidDataException($"case {caseName} is gone");
            var video = SynopsisPath(index.Folder, id);
            Directory.CreateDirectory(Path.GetDirectoryName(video)!);
            Report(key, job, new SynopsisState(id, SynopsisState.Making, 0, null, null));
            var report = await PartialVideo.WriteAsync(video, async partial =>
            {
                var made = await Synopsis.RenderAsync(index, new SynopsisRequest(query, new SynopsisTarget(length.TotalSeconds, null), partial, cases.Privacy),
                    line => logger.LogInformation("synopsis {Id} of {Case}: {Line}", id, caseName, line),
                    p => Report(key, job, new SynopsisState(id, SynopsisState.Making, Math.Round(p.Done / p.Total, 3), null, null)), stop, tracks);
                stop.ThrowIfCancellationRequested();
                return made;
            });
            var summary = new SynopsisSummary(report.Camera, report.Objects, Math.Round(report.SourceS, 1), Math.Round(report.SynopsisS, 1),
                Math.Round(report.Condensation, 2), Math.Round(report.OverlapFraction, 4), report.CollidingPairs);
            await File.WriteAllTextAsync(Path.ChangeExtension(video, ".json"), System.Text.Json.JsonSerializer.Serialize(summary));
            Report(key, job, new SynopsisState(id, SynopsisState.Ready, 1, summary, null));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (_stopping) logger.LogInformation("synopsis {Id} of {Case} stopped with the service: made again at the next start", id, caseName);
            else logger.LogInformation("synopsis {Id} of {Case} stopped by a user", id, caseName);
        }
        catch (Exception e) when (e is VideoSourceException or InvalidDataException or FormatException or IOException)
        {
            logger.LogWarning("synopsis {Id} of {Case} failed: {Message}", id, caseName, e.Message);
            Report(key, job, new SynopsisState(id, SynopsisState.Failed, 0, null, e.Message));
        }
        catch (Exception e)
        {
            logger.LogError(e, "synopsis {Id} of {Case} failed", id, caseName);
            Report(key, job, new SynopsisState(id, SynopsisState.Failed, 0, null, "internal error (see the service log)"));
        }
        finally
        {
            cases.VideoTurn.Release();
            Finished(caseName, id, job);
        }
    }

    /// <summary>A job's news, unless it was stopped meanwhile (its state is gone then and stays gone).</summary>
    private void Report((string Case, string Id) key, CancellationTokenSource job, SynopsisState state)
    {
        if (!job.IsCancellationRequested) _synopses[key] = state;
    }

    /// <summary>
    /// The job is over (made, failed or stopped by a user: its job file goes; stopped with the service: it
    /// stays). A job asked for again after a stop is another one and keeps its own entry.
    /// </summary>
    private void Finished(string caseName, string id, CancellationTokenSource job)
    {
        if (_running.TryRemove(KeyValuePair.Create((caseName, id), job)) && !_stopping && File.Exists(JobPath(caseName, id)))
            File.Delete(JobPath(caseName, id));
        job.Dispose();
    }
}
