using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Vigie.Config;
using Vigie.Service.Api;
using Vigie.Service.Governance;

namespace Vigie.Service.Storage;

/// <summary>What a backup folder holds, as its backup.json says.</summary>
public sealed record BackupManifest(DateTimeOffset Created, string Storage, string DatabaseFile, IReadOnlyList<int> SchemaVersions, long Alerts,
    AuditLog.Head AuditHead, string Configuration);

/// <summary>What a restore replaced and where it kept it.</summary>
public sealed record RestoreResult(BackupManifest Backup, AuditLog.Head? ReplacedHead, IReadOnlyList<string> KeptFiles, AuditEntry Entry);

/// <summary>
/// A consistent copy of the service's database taken while it runs (SQLite's VACUUM INTO, PostgreSQL's pg_dump: a plain
/// copy of a SQLite file misses what its write-ahead log holds), with the audit log's head as of the copy, so that the
/// restored log checks intact, and the configuration. A restore keeps what it replaces and says in the audit log what
/// it did and which entries of the replaced log the restored one lacks: a restore is not a way to cut the log quietly.
/// Evidence files are not copied: copies would outlive the retention that deletes them.
/// </summary>
public static class DatabaseBackup
{
    public const string ManifestFile = "backup.json";
    private const string SqliteCopy = "vigie.db", PostgresCopy = "vigie.pgdump";

    public static async Task<BackupManifest> CreateAsync(Database db, SceneConfig config, string configPath, AuditLog audit, string folder, string actor,
        CancellationToken ct)
    {
        folder = Path.GetFullPath(folder);
        var existed = Directory.Exists(folder);
        if (existed && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new BackupException($"{folder} is not empty: a backup goes into a new or empty folder");
        // The configuration names cameras with their passwords, the database holds who reviewed what: for the owner only.
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            return await WriteAsync(db, config, configPath, audit, folder, actor, ct);
        }
        catch (Exception e) when (e is DbException or IOException or BackupException)
        {
            // Half a backup would be taken for a whole one some day.
            if (existed) foreach (var file in Directory.GetFiles(folder)) File.Delete(file);
            else Directory.Delete(folder, recursive: true);
            throw new BackupException($"the backup into {folder} failed and what it had written is removed: {e.Message}");
        }
    }

    private static async Task<BackupManifest> WriteAsync(Database db, SceneConfig config, string configPath, AuditLog audit, string folder, string actor,
        CancellationToken ct)
    {
        // Recorded first, so the copy holds the record of its own making and ends on it.
        var entry = await audit.AppendAsync(actor, AuditActions.Backup, $"backup:{folder}", new { Folder = folder }, ct);
        var created = DateTimeOffset.UtcNow;
        var versions = await db.AppliedMigrationsAsync(ct);
        var alerts = (await db.QueryAsync("SELECT COUNT(*) FROM alerts", r => Convert.ToInt64(r.GetValue(0)), ct))[0];
        string copy;
        if (db.Dialect == SqlDialect.Sqlite)
        {
            copy = SqliteCopy;
            await db.ExecuteAsync("VACUUM INTO @file", ct, ("file", Path.Combine(folder, copy)));
        }
        else
        {
            copy = PostgresCopy;
            await DumpAsync(config.Service.Storage.Connection!, Path.Combine(folder, copy), ct);
        }
        await AuditLog.WriteHeadAsync(AuditLog.HeadFileIn(folder), new AuditLog.Head(entry.Seq, entry.Hash));
        var configuration = Path.GetFileName(configPath);
        File.Copy(configPath, Path.Combine(folder, configuration));
        var manifest = new BackupManifest(created, db.Dialect == SqlDialect.Sqlite ? "sqlite" : "postgres", copy, versions, alerts,
            new AuditLog.Head(entry.Seq, entry.Hash), configuration);
        await File.WriteAllTextAsync(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, ManifestJson), ct);
        return manifest;
    }

    /// <summary>Reads and checks a backup folder against the configuration it is to be restored under.</summary>
    public static async Task<BackupManifest> ReadAsync(string folder, SceneConfig config, CancellationToken ct)
    {
        var file = Path.Combine(folder, ManifestFile);
        if (!File.Exists(file)) throw new BackupException($"{folder} is not a Vigie backup: it has no {ManifestFile}");
        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(file, ct), ManifestJson);
        }
        catch (JsonException e)
        {
            throw new BackupException($"{file} cannot be read: {e.Message}");
        }
        if (manifest is null) throw new BackupException($"{file} is empty");
        // Written by hand or cut short, it may lack what a restore needs: said by name rather than failing on it later.
        var missing = new (string Field, object? Value)[]
        {
            ("storage", manifest.Storage), ("database_file", manifest.DatabaseFile), ("schema_versions", manifest.SchemaVersions),
            ("audit_head", manifest.AuditHead?.Hash),
        }.Where(f => f.Value is null).Select(f => f.Field).ToList();
        if (missing.Count > 0) throw new BackupException($"{file} lacks {string.Join(", ", missing)}");
        if (manifest.Storage != config.Service.Storage.Type)
            throw new BackupException($"the backup is of a {manifest.Storage} database; service.storage.type is {config.Service.Storage.Type}");
        if (!File.Exists(Path.Combine(folder, manifest.DatabaseFile)))
            throw new BackupException($"the backup's database {manifest.DatabaseFile} is missing from {folder}");
        var known = Migrations.All.Select(s => s.Version).ToHashSet();
        if (manifest.SchemaVersions.FirstOrDefault(v => !known.Contains(v)) is var unknown and > 0)
            throw new BackupException($"the backup was made by a newer Vigie (database schema version {unknown}); restore it with that version");
        return manifest;
    }

    /// <summary>
    /// Puts the backup's database in place of the service's (stopped), keeping the one replaced, and audits it. With SQLite the
    /// restore is recorded in the copy before it takes the database's place, by renames only: a disk too full or a copy that
    /// cannot be opened leaves the service's database as it was, and no restored database is ever without its record.
    /// </summary>
    public static async Task<RestoreResult> RestoreAsync(BackupManifest backup, string folder, SceneConfig config, string reason, string actor,
        CancellationToken ct)
    {
        var data = config.Service.DataFolder;
        Directory.CreateDirectory(data);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss.fff'Z'");
        var headFile = AuditLog.HeadFileIn(data);
        var replacedHead = File.Exists(headFile) ? await AuditLog.ReadHeadAsync(headFile, ct) : null;
        var keptHead = File.Exists(headFile) ? new[] { (From: headFile, To: $"{headFile}.replaced-{stamp}") } : [];
        object Detail(IEnumerable<string> kept) => new
        {
            Reason = reason,
            Backup = folder,
            RestoredHead = backup.AuditHead.Seq,
            ReplacedHead = replacedHead,
            Kept = kept,
        };

        if (backup.Storage == "postgres")
        {
            // pg_restore runs in one transaction: it restores all or nothing.
            var dump = Path.Combine(data, $"replaced-{stamp}.pgdump");
            await DumpAsync(config.Service.Storage.Connection!, dump, ct);
            await PostgresToolAsync("pg_restore", config.Service.Storage.Connection!,
                ["--clean", "--if-exists", "--no-owner", "--single-transaction", Path.Combine(folder, backup.DatabaseFile)], ct);
            var kept = keptHead.Select(m => m.To).Prepend(dump).ToList();
            foreach (var (from, to) in keptHead) File.Move(from, to);
            await AuditLog.WriteHeadAsync(headFile, backup.AuditHead);
            await using var db = await Database.OpenAsync(config.Service.Storage, data, ct);
            var entry = await new AuditLog(db, data).AppendAsync(actor, AuditActions.Restore, $"backup:{backup.Created:O}", Detail(kept), ct);
            return new RestoreResult(backup, replacedHead, kept, entry);
        }

        var target = Database.SqliteFile(config.Service.Storage, data);
        // The database with its write-ahead log and index, renamed alike so that SQLite still reads them together.
        var keptDatabase = new[] { "", "-wal", "-shm" }.Where(suffix => File.Exists(target + suffix))
            .Select(suffix => (From: target + suffix, To: $"{target}.replaced-{stamp}{suffix}")).ToList();
        var moves = keptDatabase.Concat(keptHead).ToList();
        var staging = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, $"restoring-{stamp}");
        var moved = new List<string>();
        try
        {
            Directory.CreateDirectory(staging);
            var incoming = Path.Combine(staging, "vigie.db");
            File.Copy(Path.Combine(folder, backup.DatabaseFile), incoming);
            await AuditLog.WriteHeadAsync(AuditLog.HeadFileIn(staging), backup.AuditHead);
            AuditEntry entry;
            await using (var db = await Database.OpenAsync(new StorageConfig { Type = "sqlite", Connection = incoming }, staging, ct))
            {
                entry = await new AuditLog(db, staging).AppendAsync(actor, AuditActions.Restore, $"backup:{backup.Created:O}",
                    Detail(moves.Select(m => m.To)), ct);
                await db.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)", ct);
            }
            SqliteConnection.ClearAllPools();
            foreach (var (from, to) in moves)
            {
                File.Move(from, to);
                moved.Add(to);
            }
            File.Move(incoming, target);
            File.Move(AuditLog.HeadFileIn(staging), headFile);
            Directory.Delete(staging, recursive: true);
            return new RestoreResult(backup, replacedHead, moves.Select(m => m.To).ToList(), entry);
        }
        catch (Exception e) when (e is IOException or DbException or StorageException)
        {
            SqliteConnection.ClearAllPools();
            if (moved.Count > 0)
                throw new BackupException($"the restore stopped half-way ({e.Message}): the replaced files are kept as {string.Join(", ", moved)}");
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw new BackupException($"the backup cannot be restored into {data}, the database is unchanged: {e.Message}");
        }
    }

    private static readonly JsonSerializerOptions ManifestJson = new(ApiJson.Options) { WriteIndented = true };

    private static Task DumpAsync(string connection, string file, CancellationToken ct) =>
        PostgresToolAsync("pg_dump", connection, ["--format=custom", "--no-owner", $"--file={file}"], ct);

    /// <summary>Runs pg_dump or pg_restore on the configured database, its password passed in the environment, never on the command line.</summary>
    private static async Task PostgresToolAsync(string tool, string connection, IEnumerable<string> args, CancellationToken ct)
    {
        var cs = new NpgsqlConnectionStringBuilder(connection);
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (tool == "pg_restore") start.ArgumentList.Add($"--dbname={cs.Database}");
        start.Environment["PGHOST"] = cs.Host;
        start.Environment["PGPORT"] = cs.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = cs.Database;
        start.Environment["PGUSER"] = cs.Username;
        start.Environment["PGPASSWORD"] = cs.Password;
        start.Environment["PGSSLMODE"] = cs.SslMode switch
        {
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            var mode => mode.ToString().ToLowerInvariant(),
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BackupException($"{tool} cannot be run ({e.Message}): install PostgreSQL's client tools (apt-get install postgresql-client)");
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync(ct);
            await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0) throw new BackupException($"{tool} failed (exit {process.ExitCode}): {(await error).Trim()}");
        }
    }
}

public sealed class BackupException(string message) : Exception(message);
