using System.Data.Common;
using System.Text.Json;
using static Vigie.Service.Storage.Database;

namespace Vigie.Service.Storage;

/// <summary>Alerts and reviews.</summary>
public sealed class AlertStore(Database db)
{
    public async Task<long> InsertAsync(NewAlert a, CancellationToken ct = default)
    {
        await using var c = await db.ConnectAsync(ct);
        await using var cmd = Command(c, """
            INSERT INTO alerts (camera, kind, zone, started_ms, raised_ms, score, box, track_ids, detail, status)
            VALUES (@camera, @kind, @zone, @started, @raised, @score, @box, @tracks, @detail, 'new') RETURNING id
            """, null, ("camera", a.Camera), ("kind", a.Kind), ("zone", a.Zone), ("started", Ms(a.Started)), ("raised", Ms(a.Raised)),
            ("score", a.Score), ("box", JsonSerializer.Serialize(a.Box)), ("tracks", JsonSerializer.Serialize(a.TrackIds)), ("detail", a.Detail));
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
    }

    public async Task CloseAsync(long id, DateTimeOffset ended, CancellationToken ct = default)
    {
        await using var c = await db.ConnectAsync(ct);
        await using var cmd = Command(c, "UPDATE alerts SET ended_ms = @e WHERE id = @id", null, ("e", Ms(ended)), ("id", id));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task SetEvidenceAsync(long id, string? snapshot, string? clip, CancellationToken ct = default)
    {
        await using var c = await db.ConnectAsync(ct);
        await using var cmd = Command(c, "UPDATE alerts SET snapshot = COALESCE(@s, snapshot), clip = COALESCE(@c, clip) WHERE id = @id", null,
            ("s", snapshot), ("c", clip), ("id", id));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<AlertRecord?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await db.ConnectAsync(ct);
        await using var cmd = Command(c, $"SELECT {AlertColumns} FROM alerts WHERE id = @id", null, ("id", id));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadAlert(r) : null;
    }

    public async Task<IReadOnlyList<AlertRecord>> SearchAsync(AlertQuery q, CancellationToken ct = default)
    {
        var where = new List<string>();
        var args = new List<(string, object?)>();
        if (q.From is { } from) { where.Add("raised_ms >= @from"); args.Add(("from", Ms(from))); }
        if (q.To is { } to) { where.Add("raised_ms < @to"); args.Add(("to", Ms(to))); }
        if (q.Camera is { } camera) { where.Add("camera = @camera"); args.Add(("camera", camera)); }
        if (q.Kind is { } kind) { where.Add("kind = @kind"); args.Add(("kind", kind)); }
        if (q.Status is { } status) { where.Add("status = @status"); args.Add(("status", status)); }
        args.Add(("limit", Math.Clamp(q.Limit, 1, 1000)));
        var sql = $"SELECT {AlertColumns} FROM alerts {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY raised_ms DESC, id DESC LIMIT @limit";
        await using var c = await db.ConnectAsync(ct);
        await using var cmd = Command(c, sql, null, [.. args]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var alerts = new List<AlertRecord>();
        while (await r.ReadAsync(ct)) alerts.Add(ReadAlert(r));
        return alerts;
    }

    /// <summary>Stores a decision and makes it the alert's status, in one transaction. Null when there is no such alert.</summary>
    public async Task<AlertRecord?> ReviewAsync(long alertId, string decision, string? reason, string? note, string reviewer, DateTimeOffset at,
        CancellationToken ct = default)
    {
        await using var c = await db.ConnectAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using (var update = Command(c, """
                         UPDATE alerts SET status = @d, reviewed_by = @who, reviewed_ms = @at, review_reason = @reason, review_note = @note
                         WHERE id = @id
                         """, tx, ("d", decision), ("who", reviewer), ("at", Ms(at)), ("reason", reason), ("note", note), ("id", alertId)))
        {
            if (await update.ExecuteNonQueryAsync(ct) == 0) return null;
        }
        await using (var insert = Command(c, """
                         INSERT INTO reviews (alert_id, decision, reason, note, reviewer, decided_ms) VALUES (@id, @d, @reason, @note, @who, @at)
                         """, tx, ("id", alertId), ("d", decision), ("reason", reason), ("note", note), ("who", reviewer), ("at", Ms(at))))
            await insert.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return await GetAsync(alertId, ct);
    }

    public async Task<IReadOnlyList<ReviewRecord>> ReviewsAsync(long alertId, CancellationToken ct = default)
    {
        await using var c = await db.ConnectAsync(ct);
        await using var cmd = Command(c, "SELECT id, alert_id, decision, reason, note, reviewer, decided_ms FROM reviews WHERE alert_id = @id ORDER BY id", null,
            ("id", alertId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var reviews = new List<ReviewRecord>();
        while (await r.ReadAsync(ct))
            reviews.Add(new ReviewRecord(r.GetInt64(0), r.GetInt64(1), r.GetString(2), NullableString(r, 3), NullableString(r, 4), r.GetString(5),
                FromMs(r.GetInt64(6))));
        return reviews;
    }

    /// <summary>
    /// Alert counts per month, camera, use case, review status and dismissal reason, from the alerts
    /// still kept and from the monthly counts left by the retention purge.
    /// </summary>
    public async Task<IReadOnlyList<AlertCount>> CountAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        var kept = await db.QueryAsync("SELECT raised_ms, camera, kind, status, review_reason FROM alerts WHERE raised_ms >= @from AND raised_ms < @to",
            r => new AlertCount(AlertCount.MonthOf(FromMs(r.GetInt64(0))), r.GetString(1), r.GetString(2), r.GetString(3), NullableString(r, 4) ?? "", 1),
            ct, ("from", Ms(from)), ("to", Ms(to)));
        var aggregated = await db.QueryAsync("SELECT month, camera, kind, status, reason, alerts FROM alert_aggregates WHERE month >= @from AND month <= @to",
            r => new AlertCount(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5)),
            ct, ("from", AlertCount.MonthOf(from)), ("to", AlertCount.MonthOf(to)));
        return kept.Concat(aggregated)
            .GroupBy(c => (c.Month, c.Camera, c.Kind, c.Status, c.Reason))
            .Select(g => g.First() with { Alerts = g.Sum(c => c.Alerts) })
            .ToList();
    }

    /// <summary>Alerts raised before the cutoff that still have a snapshot or a clip.</summary>
    public Task<List<AlertRecord>> WithEvidenceBeforeAsync(DateTimeOffset cutoff, CancellationToken ct = default) =>
        db.QueryAsync($"SELECT {AlertColumns} FROM alerts WHERE raised_ms < @cutoff AND (snapshot IS NOT NULL OR clip IS NOT NULL)", ReadAlert, ct,
            ("cutoff", Ms(cutoff)));

    /// <summary>The alerts that still have a snapshot or a clip, oldest raised first.</summary>
    public Task<List<AlertRecord>> OldestWithEvidenceAsync(int limit, CancellationToken ct = default) =>
        db.QueryAsync($"SELECT {AlertColumns} FROM alerts WHERE snapshot IS NOT NULL OR clip IS NOT NULL ORDER BY raised_ms, id LIMIT @limit",
            ReadAlert, ct, ("limit", limit));

    public Task ForgetEvidenceAsync(long id, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE alerts SET snapshot = NULL, clip = NULL WHERE id = @id", ct, ("id", id));

    /// <summary>
    /// Replaces the alerts raised before the cutoff (and their reviews) by monthly counts, in one
    /// transaction; returns how many alerts were folded.
    /// </summary>
    public async Task<int> AggregateBeforeAsync(DateTimeOffset cutoff, CancellationToken ct = default)
    {
        await using var c = await db.ConnectAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var old = await QueryAsync(c, tx, "SELECT raised_ms, camera, kind, status, review_reason FROM alerts WHERE raised_ms < @cutoff",
            r => new AlertCount(AlertCount.MonthOf(FromMs(r.GetInt64(0))), r.GetString(1), r.GetString(2), r.GetString(3), NullableString(r, 4) ?? "", 1),
            ct, ("cutoff", Ms(cutoff)));
        if (old.Count == 0) return 0;
        foreach (var g in old.GroupBy(a => (a.Month, a.Camera, a.Kind, a.Status, a.Reason)))
        {
            await using var upsert = Command(c, """
                INSERT INTO alert_aggregates (month, camera, kind, status, reason, alerts) VALUES (@m, @c, @k, @s, @r, @n)
                ON CONFLICT (month, camera, kind, status, reason) DO UPDATE SET alerts = alert_aggregates.alerts + excluded.alerts
                """, tx, ("m", g.Key.Month), ("c", g.Key.Camera), ("k", g.Key.Kind), ("s", g.Key.Status), ("r", g.Key.Reason), ("n", (long)g.Count()));
            await upsert.ExecuteNonQueryAsync(ct);
        }
        await using (var reviews = Command(c, "DELETE FROM reviews WHERE alert_id IN (SELECT id FROM alerts WHERE raised_ms < @cutoff)", tx,
                         ("cutoff", Ms(cutoff))))
            await reviews.ExecuteNonQueryAsync(ct);
        await using (var alerts = Command(c, "DELETE FROM alerts WHERE raised_ms < @cutoff", tx, ("cutoff", Ms(cutoff))))
            await alerts.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return old.Count;
    }

    private const string AlertColumns =
        "id, camera, kind, zone, started_ms, raised_ms, ended_ms, score, box, track_ids, detail, snapshot, clip, status, reviewed_by, reviewed_ms, review_reason, review_note";

    private static AlertRecord ReadAlert(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), FromMs(r.GetInt64(4)), FromMs(r.GetInt64(5)),
        r.IsDBNull(6) ? null : FromMs(r.GetInt64(6)), r.GetDouble(7),
        JsonSerializer.Deserialize<double[]>(r.GetString(8)) ?? [], JsonSerializer.Deserialize<int[]>(r.GetString(9)) ?? [], r.GetString(10),
        NullableString(r, 11), NullableString(r, 12), r.GetString(13), NullableString(r, 14), r.IsDBNull(15) ? null : FromMs(r.GetInt64(15)),
        NullableString(r, 16), NullableString(r, 17));
}
