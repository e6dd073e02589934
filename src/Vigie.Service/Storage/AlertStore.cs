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
        if (q.Before is { } before)
        {
            // After it in the list's order (newest raised first, then highest id): alerts raised in the same millisecond are neither lost nor repeated.
            where.Add("(raised_ms < (SELECT raised_ms FROM alerts WHERE id = @before) OR (raised_ms = (SELECT raised_ms FROM alerts WHERE id = @before) AND id < @before))");
            args.Add(("before", before));
        }
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
        await using var c = await db.ConnectAsync(ct);
        var kept = await CountByMonthAsync(c, null, from, to, ct);
        var aggregated = await QueryAsync(c, null, "SELECT month, camera, kind, status, reason, alerts FROM alert_aggregates WHERE month >= @from AND month <= @to",
            r => new AlertCount(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5)),
            ct, ("from", AlertCount.MonthOf(from)), ("to", AlertCount.MonthOf(to)));
        return kept.Concat(aggregated)
            .GroupBy(count => (count.Month, count.Camera, count.Kind, count.Status, count.Reason))
            .Select(g => g.First() with { Alerts = g.Sum(count => count.Alerts) })
            .ToList();
    }

    /// <summary>
    /// The alerts raised between two times, counted by the database one month at a time: the month is then known
    /// without a date function (SQLite and PostgreSQL spell them differently), and no alert is read into memory.
    /// </summary>
    private static async Task<List<AlertCount>> CountByMonthAsync(DbConnection c, DbTransaction? tx, DateTimeOffset from, DateTimeOffset to,
        CancellationToken ct)
    {
        var counts = new List<AlertCount>();
        var utc = from.UtcDateTime;
        for (var month = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero); month < to; month = month.AddMonths(1))
        {
            var name = AlertCount.MonthOf(month);
            var start = month > from ? month : from;
            var end = month.AddMonths(1) < to ? month.AddMonths(1) : to;
            counts.AddRange(await QueryAsync(c, tx, """
                SELECT camera, kind, status, COALESCE(review_reason, ''), COUNT(*) FROM alerts WHERE raised_ms >= @from AND raised_ms < @to
                GROUP BY camera, kind, status, COALESCE(review_reason, '')
                """, r => new AlertCount(name, r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4)), ct,
                ("from", Ms(start)), ("to", Ms(end))));
        }
        return counts;
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
        var oldest = await QueryAsync(c, tx, "SELECT MIN(raised_ms) FROM alerts WHERE raised_ms < @cutoff", r => r.IsDBNull(0) ? (long?)null : r.GetInt64(0),
            ct, ("cutoff", Ms(cutoff)));
        if (oldest[0] is not { } oldestMs) return 0;
        var counts = await CountByMonthAsync(c, tx, FromMs(oldestMs), cutoff, ct);
        foreach (var count in counts)
        {
            await using var upsert = Command(c, """
                INSERT INTO alert_aggregates (month, camera, kind, status, reason, alerts) VALUES (@m, @c, @k, @s, @r, @n)
                ON CONFLICT (month, camera, kind, status, reason) DO UPDATE SET alerts = alert_aggregates.alerts + excluded.alerts
                """, tx, ("m", count.Month), ("c", count.Camera), ("k", count.Kind), ("s", count.Status), ("r", count.Reason), ("n", count.Alerts));
            await upsert.ExecuteNonQueryAsync(ct);
        }
        await using (var reviews = Command(c, "DELETE FROM reviews WHERE alert_id IN (SELECT id FROM alerts WHERE raised_ms < @cutoff)", tx,
                         ("cutoff", Ms(cutoff))))
            await reviews.ExecuteNonQueryAsync(ct);
        await using (var alerts = Command(c, "DELETE FROM alerts WHERE raised_ms < @cutoff", tx, ("cutoff", Ms(cutoff))))
            await alerts.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return (int)counts.Sum(count => count.Alerts);
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
