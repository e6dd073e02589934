using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigie.Config;
using Vigie.Service.Alerts;
using Vigie.Service.Evidence;
using Vigie.Service.Storage;

namespace Vigie.Service.Governance;

public sealed record PurgeResult(int EvidenceFilesDeleted, int AlertsWithEvidenceCleared, int AlertsAggregated);

/// <summary>
/// Enforces retention by itself: snapshots and clips older than evidence_days are deleted; alerts
/// older than alert_months are folded into monthly counts (camera, use case, decision, reason) and
/// deleted with their reviews. Runs at start and then periodically; each purge that removes something
/// is written to the audit log.
/// </summary>
public sealed class RetentionPurge(RetentionConfig retention, AlertStore alerts, EvidenceRecorder evidence, AuditLog audit, ILogger<RetentionPurge> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Repeat.EveryAsync(TimeSpan.FromMinutes(retention.PurgeEveryMinutes), atOnce: true, ct => PurgeAsync(DateTimeOffset.UtcNow, ct),
            e => logger.LogError("retention purge failed, will retry: {Message}", e.Message), stoppingToken);

    public async Task<PurgeResult> PurgeAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var evidenceCutoff = now - TimeSpan.FromDays(retention.EvidenceDays);
        var alertCutoff = now.AddMonths(-retention.AlertMonths);
        var files = 0;
        var cleared = 0;
        foreach (var alert in await alerts.WithEvidenceBeforeAsync(evidenceCutoff, ct))
        {
            files += evidence.DeleteFilesOf(alert);
            await alerts.ForgetEvidenceAsync(alert.Id, ct);
            cleared++;
        }
        files += DeleteOldDayFolders(evidenceCutoff);
        files += DeleteOldSpoolCopies(evidenceCutoff);
        var aggregated = await alerts.AggregateBeforeAsync(alertCutoff, ct);
        var result = new PurgeResult(files, cleared, aggregated);
        if (files > 0 || cleared > 0 || aggregated > 0)
        {
            logger.LogInformation("retention: {Files} evidence files deleted, {Aggregated} alerts folded into monthly counts", files, aggregated);
            await audit.AppendAsync(AuditLog.System, AuditActions.Purge, "retention", new
            {
                result.EvidenceFilesDeleted, result.AlertsWithEvidenceCleared, result.AlertsAggregated,
                EvidenceBefore = evidenceCutoff, AlertsBefore = alertCutoff,
            }, ct);
        }
        return result;
    }

    /// <summary>
    /// Copies of a damaged spool set aside for a person to look at: they hold alerts and their blurred snapshots, to which
    /// retention applies as to any evidence.
    /// </summary>
    private int DeleteOldSpoolCopies(DateTimeOffset cutoff)
    {
        var deleted = 0;
        foreach (var (file, setAside) in AlertSpool.SetAsideIn(evidence.DataFolder).Where(c => c.SetAside < cutoff.UtcDateTime).ToList())
        {
            File.Delete(file);
            deleted++;
        }
        return deleted;
    }

    /// <summary>Evidence day folders entirely before the cutoff, including files no alert points to (a crash between writing and storing).</summary>
    private int DeleteOldDayFolders(DateTimeOffset cutoff)
    {
        var root = Path.Combine(evidence.DataFolder, "evidence");
        if (!Directory.Exists(root)) return 0;
        var deleted = 0;
        var lastFullDay = DateOnly.FromDateTime(cutoff.UtcDateTime).AddDays(-1);
        foreach (var day in Directory.EnumerateDirectories(root).SelectMany(Directory.EnumerateDirectories))
        {
            if (!DateOnly.TryParseExact(Path.GetFileName(day), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                || date > lastFullDay) continue;
            deleted += Directory.EnumerateFiles(day, "*", SearchOption.AllDirectories).Count();
            Directory.Delete(day, recursive: true);
        }
        return deleted;
    }
}
