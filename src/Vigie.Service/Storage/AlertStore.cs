using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Vigie.Config;

namespace Vigie.Service.Storage;

/// <summary>
/// Alerts and reviews in SQLite (default) or PostgreSQL, with the same schema and migrations. SQLite
/// runs in WAL mode with full synchronisation: a committed alert survives the process being killed.
/// </summary>
public sealed class AlertStore : IAsyncDisposable
{
    private readonly DbDataSource _source;
    private readonly SqlDialect _dialect;

    private AlertStore(DbDataSource source, SqlDialect dialect)
    {
        _source = source;
        _dialect = dialect;
    }

    public string Description { get; private init; } = "";

    public static async Task<AlertStore> OpenAsync(StorageConfig storage, string dataFolder, CancellationToken ct = default)
    {
        AlertStore store;
        if (storage.Type == "postgres")
        {
            store = new AlertStore(NpgsqlDataSource.Create(storage.Connection!), SqlDialect.Postgres)
            {
                Description = $"PostgreSQL {new NpgsqlConnectionStringBuilder(storage.Connection) { Password = null }.ConnectionString}",
            };
        }
        else
        {
            var file = storage.Connection ?? Path.Combine(dataFolder, "vigie.db");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            var cs = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true, DefaultTimeout = 30 }.ConnectionString;
            store = new AlertStore(SqliteFactory.Instance.CreateDataSource(cs), SqlDialect.Sqlite) { Description = $"SQLite {file}" };
        }
        try
        {
            await store.MigrateAsync(ct);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or ArgumentException)
        {
            await store.DisposeAsync();
            throw new StorageException($"{store.Description}: cannot open the database: {e.Message}", e);
        }
        return store;
    }

    /// <summary>The schema versions applied so far.</summary>
    public async Task<IReadOnlyList<int>> AppliedMigrationsAsync(CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, "SELECT version FROM schema_migrations ORDER BY version");
        var versions = new List<int>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) versions.Add(Convert.ToInt32(r.GetValue(0)));
        return versions;
    }

    private async Task MigrateAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        if (_dialect == SqlDialect.Sqlite)
            await Execute(c, "PRAGMA journal_mode=WAL", ct);
        await Execute(c, Migrations.CreateVersionTable, ct);
        var applied = await AppliedMigrationsAsync(ct);
        foreach (var step in Migrations.All.Where(s => !applied.Contains(s.Version)))
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            await using (var cmd = Command(c, step.Sql(_dialect), tx)) await cmd.ExecuteNonQueryAsync(ct);
            await using (var cmd = Command(c, "INSERT INTO schema_migrations (version, description, applied_ms) VALUES (@v, @d, @t)", tx,
                             ("v", step.Version), ("d", step.Description), ("t", Ms(DateTimeOffset.UtcNow))))
                await cmd.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
    }

    public async Task<long> InsertAsync(NewAlert a, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, """
            INSERT INTO alerts (camera, kind, zone, started_ms, raised_ms, score, box, track_ids, detail, status)
            VALUES (@camera, @kind, @zone, @started, @raised, @score, @box, @tracks, @detail, 'new') RETURNING id
            """, null, ("camera", a.Camera), ("kind", a.Kind), ("zone", a.Zone), ("started", Ms(a.Started)), ("raised", Ms(a.Raised)),
            ("score", a.Score), ("box", JsonSerializer.Serialize(a.Box)), ("tracks", JsonSerializer.Serialize(a.TrackIds)), ("detail", a.Detail));
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
    }

    public async Task CloseAsync(long id, DateTimeOffset ended, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, "UPDATE alerts SET ended_ms = @e WHERE id = @id", null, ("e", Ms(ended)), ("id", id));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task SetEvidenceAsync(long id, string? snapshot, string? clip, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, "UPDATE alerts SET snapshot = COALESCE(@s, snapshot), clip = COALESCE(@c, clip) WHERE id = @id", null,
            ("s", snapshot), ("c", clip), ("id", id));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<AlertRecord?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
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
        await using var c = await OpenAsync(ct);
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
        await using var c = await OpenAsync(ct);
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
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, "SELECT id, alert_id, decision, reason, note, reviewer, decided_ms FROM reviews WHERE alert_id = @id ORDER BY id", null,
            ("id", alertId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var reviews = new List<ReviewRecord>();
        while (await r.ReadAsync(ct))
            reviews.Add(new ReviewRecord(r.GetInt64(0), r.GetInt64(1), r.GetString(2), NullableString(r, 3), NullableString(r, 4), r.GetString(5),
                FromMs(r.GetInt64(6))));
        return reviews;
    }

    private const string AlertColumns =
        "id, camera, kind, zone, started_ms, raised_ms, ended_ms, score, box, track_ids, detail, snapshot, clip, status, reviewed_by, reviewed_ms, review_reason, review_note";

    private static AlertRecord ReadAlert(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), FromMs(r.GetInt64(4)), FromMs(r.GetInt64(5)),
        r.IsDBNull(6) ? null : FromMs(r.GetInt64(6)), r.GetDouble(7),
        JsonSerializer.Deserialize<double[]>(r.GetString(8)) ?? [], JsonSerializer.Deserialize<int[]>(r.GetString(9)) ?? [], r.GetString(10),
        NullableString(r, 11), NullableString(r, 12), r.GetString(13), NullableString(r, 14), r.IsDBNull(15) ? null : FromMs(r.GetInt64(15)),
        NullableString(r, 16), NullableString(r, 17));

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var c = await _source.OpenConnectionAsync(ct);
        if (_dialect == SqlDialect.Sqlite)
            await Execute(c, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000", ct);
        return c;
    }

    private static async Task Execute(DbConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = Command(c, sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static DbCommand Command(DbConnection c, string sql, DbTransaction? tx = null, params (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    public static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}

/// <summary>The database cannot be used; the message says which one and why.</summary>
public sealed class StorageException(string message, Exception inner) : Exception(message, inner);
