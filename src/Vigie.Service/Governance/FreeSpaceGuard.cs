using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigie.Config;
using Vigie.Service.Evidence;
using Vigie.Service.Storage;

namespace Vigie.Service.Governance;

/// <summary>The data folder's disk as the guard last saw it.</summary>
/// <param name="EvidencePaused">New alerts are stored without snapshot or clip: the disk is below the floor and no evidence is left to delete.</param>
public sealed record DiskSpace(long FreeMb, int MinFreeMb, bool EvidencePaused);

/// <summary>
/// Keeps the data folder's disk from filling, as recorders do. Below `retention.min_free_mb` free, the oldest alerts'
/// snapshots and clips are deleted before their time (the alerts stay), oldest first, until a margin above the floor is
/// free; each such purge is audited. When nothing is left to delete, new alerts are stored without evidence, so the
/// database, which needs little, keeps every alert. Checked before each evidence file is written and every minute.
/// </summary>
public sealed class FreeSpaceGuard(RetentionConfig retention, AlertStore alerts, EvidenceRecorder evidence, AuditLog audit, ILogger<FreeSpaceGuard> logger)
    : BackgroundService
{
    private const long Mb = 1024 * 1024;
    private const int AlertsPerBatch = 200;
    private readonly SemaphoreSlim _gate = new(1);
    private volatile bool _paused;

    public DiskSpace Now() => new(FreeBytes() / Mb, retention.MinFreeMb, _paused);

    /// <summary>Whether an evidence file may be written now; when the disk is below the floor, makes room first.</summary>
    public async Task<bool> RoomForEvidenceAsync(CancellationToken ct = default)
    {
        var floor = retention.MinFreeMb * Mb;
        if (!_paused && FreeBytes() >= floor) return true;
        await _gate.WaitAsync(ct);
        try
        {
            var free = FreeBytes();
            if (free < floor) free = await MakeRoomAsync(free, floor, ct);
            Pause(free < floor, free);
            return !_paused;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// How many of the oldest alerts' evidence to delete to free at least the bytes needed: the fewest, oldest first,
    /// or all of them when even all are not enough.
    /// </summary>
    public static int CountToFree(IReadOnlyList<long> bytesOldestFirst, long bytesNeeded)
    {
        long freed = 0;
        for (int i = 0; i < bytesOldestFirst.Count; i++)
        {
            if (freed >= bytesNeeded) return i;
            freed += bytesOldestFirst[i];
        }
        return bytesOldestFirst.Count;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Repeat.EveryAsync(TimeSpan.FromMinutes(1), atOnce: true, RoomForEvidenceAsync,
            e => logger.LogError("free space check failed, will retry: {Message}", e.Message), stoppingToken);

    private long FreeBytes() => new DriveInfo(Path.GetFullPath(evidence.DataFolder)).AvailableFreeSpace;

    private async Task<long> MakeRoomAsync(long free, long floor, CancellationToken ct)
    {
        // A margin above the floor, so that a disk at the floor is not purged again at every alert.
        var target = floor + Math.Max(floor / 10, 16 * Mb);
        var before = free;
        int files = 0, cleared = 0;
        DateTimeOffset? oldest = null, newest = null;
        while (free < target)
        {
            var batch = await alerts.OldestWithEvidenceAsync(AlertsPerBatch, ct);
            if (batch.Count == 0) break;
            var count = CountToFree(batch.Select(EvidenceBytes).ToList(), target - free);
            foreach (var alert in batch.Take(count))
            {
                files += evidence.DeleteFilesOf(alert);
                await alerts.ForgetEvidenceAsync(alert.Id, ct);
                cleared++;
                oldest ??= alert.Raised;
                newest = alert.Raised;
            }
            free = FreeBytes();
        }
        if (cleared > 0)
        {
            logger.LogWarning("disk space: {Before} MB free on the data folder's disk, below retention.min_free_mb ({Floor} MB): the evidence of "
                + "the {Cleared} oldest alerts ({Files} files, raised {Oldest:u} to {Newest:u}) deleted before its time, {After} MB free now",
                before / Mb, floor / Mb, cleared, files, oldest, newest, free / Mb);
            await audit.AppendAsync(AuditLog.System, AuditActions.SpacePurge, "retention", new
            {
                EvidenceFilesDeleted = files, AlertsWithEvidenceCleared = cleared, RaisedFrom = oldest, RaisedTo = newest,
                FreeMbBefore = before / Mb, FreeMbAfter = free / Mb, retention.MinFreeMb,
            }, ct);
        }
        return free;
    }

    private long EvidenceBytes(AlertRecord alert) => evidence.FilesOf(alert).Sum(path => new FileInfo(path).Length);

    private void Pause(bool paused, long free)
    {
        if (paused == _paused) return;
        _paused = paused;
        if (paused)
            logger.LogError("disk space: {Free} MB free on the data folder's disk, below retention.min_free_mb ({Floor} MB), and no evidence is left "
                + "to delete: new alerts are stored without snapshot or clip until space is freed", free / Mb, retention.MinFreeMb);
        else
            logger.LogInformation("disk space: {Free} MB free on the data folder's disk: alerts get their snapshot and clip again", free / Mb);
    }
}
