using Microsoft.Extensions.Logging;
using Vigie.Forensics;
using Vigie.Video;

namespace Vigie.Service.Forensics;

/// <summary>A case as listed in the console: an index folder under the forensic folder.</summary>
public sealed record CaseSummary(string Name, int Recordings, IReadOnlyList<string> Cameras, DateTimeOffset? From, DateTimeOffset? To,
    IReadOnlyList<string> Zones, IReadOnlyList<string> Lines);

/// <summary>
/// The forensic cases the console may search: subfolders of the forensic folder holding an index made
/// by `vigie index`. Only names of such subfolders are accepted, so a request cannot reach elsewhere.
/// Excerpts are made on demand (people pixelated), one video job at a time with the synopses
/// (<see cref="CaseSynopses"/>), and kept in the case folder.
/// </summary>
public sealed class ForensicCases(string folder, PrivacyFilter privacy, ILogger<ForensicCases> logger)
{
    private readonly SemaphoreSlim _making = new(1, 1);

    public string Folder => folder;

    /// <summary>How videos shown from the cases are pixelated.</summary>
    public PrivacyFilter Privacy => privacy;

    /// <summary>Video jobs (excerpts, synopses) take turns: each decodes and encodes with all it can get.</summary>
    public SemaphoreSlim VideoTurn => _making;

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

    /// <summary>A name that can only be a folder right under the forensic folder.</summary>
    public static bool IsCaseName(string name) => name.Length > 0 && name == Path.GetFileName(name) && name is not ("." or "..");

    /// <summary>Opens a case by name; null when no such case exists.</summary>
    public TrackIndex? Open(string name)
    {
        if (!IsCaseName(name)) return null;
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

    /// <summary>
    /// Removes the half-made excerpts and synopses a stopped service left behind (synopses still asked
    /// for are made again from their job files: <see cref="CaseSynopses.ResumeUnfinished"/>). Call before any job starts.
    /// </summary>
    public int RemoveUnfinishedVideos()
    {
        if (!Directory.Exists(folder)) return 0;
        var unfinished = Directory.EnumerateDirectories(folder)
            .SelectMany(c => new[] { "synopses", "excerpts" }.Select(s => Path.Combine(c, s)))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, PartialVideo.PartOf("*")))
            .ToList();
        foreach (var path in unfinished)
        {
            logger.LogInformation("removing {Video}, left unfinished when the service stopped", path);
            File.Delete(path);
        }
        return unfinished.Count;
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
            // The viewer may leave, or the recording fail: nothing half-made is served later.
            await PartialVideo.WriteAsync(path, partial => Excerpts.WriteAsync(index, track, partial, privacy, ct));
            return path;
        }
        finally
        {
            _making.Release();
        }
    }
}
