using Microsoft.Extensions.Logging;
using Vigie.Forensics;
using Vigie.Video;

namespace Vigie.Service.Forensics;

/// <summary>A synopsis made for the console: where to play it and its condensation figures.</summary>
public sealed record SynopsisSummary(string Id, string Camera, int Objects, double SourceS, double SynopsisS, double Condensation,
    double OverlapFraction, int CollidingPairs);

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
        SynopsisId().IsMatch(id) && File.Exists(SynopsisPath(index, id)) ? SynopsisPath(index, id) : null;

    private static string SynopsisPath(TrackIndex index, string id) => Path.Combine(index.Folder, "synopses", $"synopsis-{id}.mp4");

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial System.Text.RegularExpressions.Regex SynopsisId();

    /// <summary>
    /// The synopsis of the tracks a search selects (people pixelated), made once per selection and
    /// length (<paramref name="selection"/> names them) and then served from the case folder.
    /// </summary>
    public async Task<SynopsisSummary> SynopsisAsync(TrackIndex index, TrackQuery query, TimeSpan length, string selection, CancellationToken ct)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{selection}|{length.TotalSeconds}")))[..16];
        var video = SynopsisPath(index, id);
        var summaryPath = Path.ChangeExtension(video, ".json");
        await _making.WaitAsync(ct);
        try
        {
            if (File.Exists(video) && File.Exists(summaryPath))
                return System.Text.Json.JsonSerializer.Deserialize<SynopsisSummary>(await File.ReadAllTextAsync(summaryPath, ct))!;
            Directory.CreateDirectory(Path.GetDirectoryName(video)!);
            var partial = video + ".part.mp4";
            var report = await Synopsis.RenderAsync(index, new SynopsisRequest(query, new SynopsisTarget(length.TotalSeconds, null), partial, privacy),
                line => logger.LogInformation("synopsis {Id}: {Line}", id, line), ct);
            var summary = new SynopsisSummary(id, report.Camera, report.Objects, Math.Round(report.SourceS, 1), Math.Round(report.SynopsisS, 1),
                Math.Round(report.Condensation, 2), Math.Round(report.OverlapFraction, 4), report.CollidingPairs);
            File.Move(partial, video, overwrite: true);
            await File.WriteAllTextAsync(summaryPath, System.Text.Json.JsonSerializer.Serialize(summary), ct);
            return summary;
        }
        finally
        {
            _making.Release();
        }
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
            await Excerpts.WriteAsync(index, track, partial, privacy, ct);
            File.Move(partial, path, overwrite: true);
            return path;
        }
        finally
        {
            _making.Release();
        }
    }
}
