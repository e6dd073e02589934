using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Vigie.Config;

namespace Vigie.Service.Storage;

/// <summary>
/// The service's database: SQLite (default) or PostgreSQL, with the same schema and migrations. SQLite
/// runs in WAL mode with full synchronisation: a committed row survives the process being killed.
/// The stores (alerts, users, authorisations, audit) share it.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly DbDataSource _source;

    private Database(DbDataSource source, SqlDialect dialect, string description)
    {
        _source = source;
        Dialect = dialect;
        Description = description;
    }

    public SqlDialect Dialect { get; }
    public string Description { get; }

    public static async Task<Database> OpenAsync(StorageConfig storage, string dataFolder, CancellationToken ct = default)
    {
        if (storage.Type != "postgres") Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(SqliteFile(storage, dataFolder)))!);
        var db = Create(storage, dataFolder);
        try
        {
            await db.MigrateAsync(ct);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or ArgumentException)
        {
            await db.DisposeAsync();
            throw new StorageException($"{db.Description}: cannot open the database: {ErrorText.Of(e)}", e);
        }
        return db;
    }

    /// <summary>
    /// The database as it is, to look at (`vigie check`): nothing is created or migrated, and no connection is made yet.
    /// Null when its SQLite file does not exist (the service makes it at its first start).
    /// </summary>
    public static Database? AsIs(StorageConfig storage, string dataFolder) =>
        storage.Type != "postgres" && !File.Exists(SqliteFile(storage, dataFolder)) ? null : Create(storage, dataFolder);

    private static Database Create(StorageConfig storage, string dataFolder)
    {
        if (storage.Type == "postgres")
            return new Database(NpgsqlDataSource.Create(storage.Connection!), SqlDialect.Postgres, $"PostgreSQL {WithoutPassword(storage.Connection!)}");
        var file = SqliteFile(storage, dataFolder);
        var cs = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true, DefaultTimeout = 30 }.ConnectionString;
        return new Database(SqliteFactory.Instance.CreateDataSource(cs), SqlDialect.Sqlite, $"SQLite {file}");
    }

    /// <summary>A PostgreSQL connection string as it may be shown: its password left out.</summary>
    public static string WithoutPassword(string connection) => new NpgsqlConnectionStringBuilder(connection) { Password = null }.ConnectionString;

    /// <summary>The SQLite database's file: the one named by the configuration, else vigie.db in the data folder.</summary>
    public static string SqliteFile(StorageConfig storage, string dataFolder) => storage.Connection ?? Path.Combine(dataFolder, "vigie.db");

    /// <summary>
    /// The database refuses this statement for good (a value it cannot hold, a broken constraint), as opposed to being
    /// unavailable: tried again, it would be refused again.
    /// </summary>
    public static bool Refuses(DbException e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("22", StringComparison.Ordinal) || p.SqlState.StartsWith("23", StringComparison.Ordinal),
        SqliteException s => s.SqliteErrorCode is 18 or 19 or 20 or 25, // SQLITE_TOOBIG, CONSTRAINT, MISMATCH, RANGE
        _ => false,
    };

    /// <summary>The schema versions applied so far; none in a database Vigie has not used yet.</summary>
    public async Task<IReadOnlyList<int>> AppliedMigrationsAsync(CancellationToken ct = default)
    {
        var versionTable = Dialect == SqlDialect.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()";
        await using var c = await ConnectAsync(ct);
        return (await QueryAsync(c, null, versionTable, r => Convert.ToInt64(r.GetValue(0)), ct))[0] == 0 ? [] : await VersionsAsync(c, ct);
    }

    private static Task<List<int>> VersionsAsync(DbConnection c, CancellationToken ct) =>
        QueryAsync(c, null, "SELECT version FROM schema_migrations ORDER BY version", r => Convert.ToInt32(r.GetValue(0)), ct);

    private async Task MigrateAsync(CancellationToken ct)
    {
        await using var c = await ConnectAsync(ct);
        if (Dialect == SqlDialect.Sqlite)
            await ExecuteAsync(c, "PRAGMA journal_mode=WAL", ct);
        await ExecuteAsync(c, Migrations.CreateVersionTable, ct);
        var applied = await VersionsAsync(c, ct);
        // An older vigie on a database a newer one has changed (a rollback after an upgrade) would misread what it does not know.
        if (Migrations.Unknown(applied) is [var newer, ..]) throw new InvalidOperationException(Newer(newer));
        foreach (var step in Migrations.Pending(applied))
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            await using (var cmd = Command(c, step.Sql(Dialect), tx)) await cmd.ExecuteNonQueryAsync(ct);
            await using (var cmd = Command(c, "INSERT INTO schema_migrations (version, description, applied_ms) VALUES (@v, @d, @t)", tx,
                             ("v", step.Version), ("d", step.Description), ("t", Ms(DateTimeOffset.UtcNow))))
                await cmd.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>Why a database changed by a newer Vigie is not opened, and what to do.</summary>
    public static string Newer(int version) =>
        $"it was last used by a newer Vigie (schema version {version}); run that version, or restore a backup made by this one (vigie restore)";

    public async Task<DbConnection> ConnectAsync(CancellationToken ct)
    {
        var c = await _source.OpenConnectionAsync(ct);
        if (Dialect == SqlDialect.Sqlite)
            await ExecuteAsync(c, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000", ct);
        return c;
    }

    /// <summary>Runs one statement on its own connection; returns the rows it changed.</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var c = await ConnectAsync(ct);
        await using var cmd = Command(c, sql, null, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Reads every row of a query with <paramref name="read"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var c = await ConnectAsync(ct);
        return await QueryAsync(c, null, sql, read, ct, args);
    }

    public static async Task<List<T>> QueryAsync<T>(DbConnection c, DbTransaction? tx, string sql, Func<DbDataReader, T> read, CancellationToken ct,
        params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(c, sql, tx, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await r.ReadAsync(ct)) rows.Add(read(r));
        return rows;
    }

    public static async Task ExecuteAsync(DbConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = Command(c, sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static DbCommand Command(DbConnection c, string sql, DbTransaction? tx = null, params (string Name, object? Value)[] args)
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

    public static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    public static DateTimeOffset? NullableTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : FromMs(r.GetInt64(i));
    public static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}

/// <summary>The database cannot be used; the message says which one and why.</summary>
public sealed class StorageException(string message, Exception inner) : Exception(message, inner);
