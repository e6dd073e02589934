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

/// <summary>A case as listed in the console: an index folder under the forensic folder.</summary>
public sealed record CaseSummary(string Name, int Recordings, IReadOnlyList<string> Cameras, DateTimeOffset? From, DateTimeOffset? To,
    IReadOnlyList<string> Zones, IReadOnlyList<string> Lines);

/// <summary>
/// The forensic cases the console may search: subfolders of the forensic folder holding an index made
/// by `vigie index`. Only names of such subfolders are accepted, so a request cannot reach elsewhere.
/// Excerpts and synopses are made on demand (people pixelated), one at a time, and kept in the case folder.
/// </summary>
public sealed partial class ForensicCases(string folder, PrivacyFilter privacy, ILogger<ForensicCases> logger)
{
    private readonly SemaphoreSlim _making = new(1, 1);

    public string Folder => folder;

    public IReadOnlyList<CaseSummary> List()
    {
        if (!Directory.Exists(folder)) return [];
        var cases = new List<CaseSummary>();
        foreach (var dir in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(dir, TrackIndex.FileName))) continue;
            try
            {
                using var index = TrackIndex.OpenExisting(dir);
                var recordings = index.Recordings();
                var (zones, lines) = index.Places();
                cases.Add(new CaseSummary(Path.GetFileName(dir), recordings.Count, recordings.Select(r => r.Camera).Distinct().ToList(),
                    recordings.Count > 0 ? recordings.Min(r => r.StartClock) : null,
                    recordings.Count > 0 ? recordings.Max(r => r.StartClock + TimeSpan.FromSeconds(r.DurationS)) : null, zones, lines));
            }
            catch (InvalidDataException e)
            {
                logger.LogWarning("forensic case {Case} skipped: {Message}", dir, e.Message);
            }
        }
        return cases;
    }

    /// <summary>Opens a case by name; null when no such case exists.</summary>
    public TrackIndex? Open(string name)
    {
        if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or "..") return null;
        var dir = Path.Combine(folder, name);
        return File.Exists(Path.Combine(dir, TrackIndex.FileName)) ? TrackIndex.OpenExisting(dir) : null;
    }

    /// <summary>
    /// The excerpt of a track with nobody pixelated, for a lift the caller has authorised and logged.
    /// Made each time into memory and never kept: unblurred video is not left on disk.
    /// </summary>
    public async Task<byte[]> UnblurredExcerptAsync(TrackIndex index, IndexedTrack track, CancellationToken ct)
    {
        var temporary = Path.Combine(Path.GetTempPath(), $"vigie-unblurred-{Guid.NewGuid():N}.mp4");
        await _making.WaitAsync(ct);
        try
        {
            await Excerpts.WriteAsync(index, track, temporary, privacy: null, ct);
            return await File.ReadAllBytesAsync(temporary, ct);
        }
        finally
        {
            _making.Release();
            File.Delete(temporary);
        }
    }

    /// <summary>Where a synopsis made earlier lies; null when there is none by that id.</summary>
    public static string? SynopsisVideo(TrackIndex index, string id) =>
        SynopsisId().IsMatch(id) && File.Exists(SynopsisPath(index.Folder, id)) ? SynopsisPath(index.Folder, id) : null;

    private static string SynopsisPath(string caseFolder, string id) => Path.Combine(caseFolder, "synopses", $"synopsis-{id}.mp4");

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial System.Text.RegularExpressions.Regex SynopsisId();

    private readonly ConcurrentDictionary<(string Case, string Id), SynopsisState> _synopses = new();
    private readonly ConcurrentDictionary<(string Case, string Id), CancellationTokenSource> _running = new();

    /// <summary>
    /// Starts making the synopsis of the tracks a search selects (people pixelated), once per selection
    /// and length (<paramref name="selection"/> names them); it is made in the background, one job at a
    /// time with the excerpts, and kept in the case folder. Returns where it stands.
    /// </summary>
    public SynopsisState StartSynopsis(string caseName, TrackQuery query, TimeSpan length, string selection)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{selection}|{length.TotalSeconds}")))[..16];
        if (SynopsisStatus(caseName, id) is { State: not SynopsisState.Failed } known) return known;
        var waiting = new SynopsisState(id, SynopsisState.Waiting, 0, null, null);
        var stop = new CancellationTokenSource();
        _running[(caseName, id)] = stop;
        _synopses[(caseName, id)] = waiting;
        _ = Task.Run(() => MakeSynopsisAsync(caseName, id, query, length, stop));
        return waiting;
    }

    /// <summary>
    /// Stops a synopsis being made (nothing of it is kept) or deletes one made earlier; it can be asked
    /// for again. False when there is none by that id.
    /// </summary>
    public bool RemoveSynopsis(string caseName, string id)
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
        using var index = Open(caseName);
        if (index is null) return known;
        var video = SynopsisPath(index.Folder, id);
        var made = File.Exists(video);
        foreach (var path in new[] { video, Path.ChangeExtension(video, ".json") })
            if (File.Exists(path)) File.Delete(path);
        return known || made;
    }

    /// <summary>Where a synopsis stands (being made, or made earlier); null when there is none by that id.</summary>
    public SynopsisState? SynopsisStatus(string caseName, string id)
    {
        if (!SynopsisId().IsMatch(id)) return null;
        if (_synopses.TryGetValue((caseName, id), out var state)) return state;
        using var index = Open(caseName);
        if (index is null) return null;
        var summaryPath = Path.ChangeExtension(SynopsisPath(index.Folder, id), ".json");
        return File.Exists(summaryPath) && SynopsisVideo(index, id) is not null
            ? new SynopsisState(id, SynopsisState.Ready, 1, System.Text.Json.JsonSerializer.Deserialize<SynopsisSummary>(File.ReadAllText(summaryPath)), null)
            : null;
    }

    private async Task MakeSynopsisAsync(string caseName, string id, TrackQuery query, TimeSpan length, CancellationTokenSource job)
    {
        var key = (caseName, id);
        var stop = job.Token;
        string? partial = null;
        try
        {
            await _making.WaitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            Finished(key, job);
            return;
        }
        try
        {
            using var index = Open(caseName) ?? throw new InvalidDataException($"case {caseName} is gone");
            var video = SynopsisPath(index.Folder, id);
            Directory.CreateDirectory(Path.GetDirectoryName(video)!);
            partial = video + ".part.mp4";
            Report(key, job, new SynopsisState(id, SynopsisState.Making, 0, null, null));
            var report = await Synopsis.RenderAsync(index, new SynopsisRequest(query, new SynopsisTarget(length.TotalSeconds, null), partial, privacy),
                line => logger.LogInformation("synopsis {Id} of {Case}: {Line}", id, caseName, line),
                p => Report(key, job, new SynopsisState(id, SynopsisState.Making, Math.Round(p.Done / p.Total, 3), null, null)), stop);
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
            Forget(partial);
        }
        catch (Exception e) when (e is VideoSourceException or InvalidDataException or FormatException or IOException)
        {
            logger.LogWarning("synopsis {Id} of {Case} failed: {Message}", id, caseName, e.Message);
            Report(key, job, new SynopsisState(id, SynopsisState.Failed, 0, null, e.Message));
            Forget(partial);
        }
        catch (Exception e)
        {
            logger.LogError(e, "synopsis {Id} of {Case} failed", id, caseName);
            Report(key, job, new SynopsisState(id, SynopsisState.Failed, 0, null, "internal error (see the service log)"));
            Forget(partial);
        }
        finally
        {
            _making.Release();
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

    /// <summary>
    /// Removes the half-made excerpts and synopses a stopped service left behind (jobs live in memory:
    /// after a restart nobody finishes them; asking again makes them anew). Call before any job starts.
    /// </summary>
    public int RemoveUnfinishedVideos()
    {
        if (!Directory.Exists(folder)) return 0;
        var unfinished = Directory.EnumerateDirectories(folder)
            .SelectMany(c => new[] { "synopses", "excerpts" }.Select(s => Path.Combine(c, s)))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.part.mp4"))
            .ToList();
        foreach (var path in unfinished)
        {
            logger.LogInformation("removing {Video}, left unfinished when the service stopped", path);
            File.Delete(path);
        }
        return unfinished.Count;
    }

    /// <summary>A half-made video is of no use: it goes.</summary>
    private static void Forget(string? partial)
    {
        if (partial is not null && File.Exists(partial)) File.Delete(partial);
    }

    /// <summary>The excerpt of a track, made once and then served from the case folder.</summary>
    public async Task<string> ExcerptAsync(TrackIndex index, IndexedTrack track, CancellationToken ct)
    {
        var path = Path.Combine(index.Folder, "excerpts", $"track-{track.Id}.mp4");
        if (File.Exists(path)) return path;
        await _making.WaitAsync(ct);
        try
        {
            if (File.Exists(path)) return path;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var partial = path + ".part.mp4";
            try
            {
                await Excerpts.WriteAsync(index, track, partial, privacy, ct);
            }
            catch
            {
                Forget(partial); // the viewer left, or the recording failed: nothing half-made is served later
                throw;
            }
            File.Move(partial, path, overwrite: true);
            return path;
        }
        finally
        {
            _making.Release();
        }
    }
}
