using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Vigie.Config;
using Vigie.Service.Governance;
using Vigie.Service.Storage;
using Vigie.Tests.Cli;

namespace Vigie.Tests.Service;

/// <summary>`vigie backup` and `vigie restore` on a real SQLite file under a running service, and on a real PostgreSQL server.</summary>
[Collection("postgres")]
public class BackupTests(PostgresServer postgres)
{
    private const string Reason = "database disk replaced after a failure";

    private static NewAlert Alert(DateTimeOffset raised) => new("gate", "intrusion", "forbidden", raised, raised, 0.9, [0, 0, 0.1, 0.1], [1], "t");

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_backup_taken_while_the_service_runs_restores_its_alerts_with_an_intact_audit_log_that_records_the_restore()
    {
        var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        string configPath = service.ConfigPath, folder = Path.Combine(TestPaths.TempFolder(), "backup");
        try
        {
            var now = DateTimeOffset.UtcNow;
            for (int i = 0; i < 3; i++) await service.Store.InsertAsync(Alert(now.AddMinutes(-i)));
            await service.Http.GetAsync("/api/alerts"); // an audited search

            var made = await VigieProcess.RunAsync(["backup", "--config", configPath, "--out", folder]);
            Assert.True(made.Code == 0, made.Error);
            Assert.Contains("3 alerts", made.Error);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
            var again = await VigieProcess.RunAsync(["backup", "--config", configPath, "--out", folder]);
            Assert.Equal(1, again.Code);
            Assert.Contains("not empty", again.Error);

            // What happens after the backup is what a restore takes back.
            await service.Store.InsertAsync(Alert(now));
            await service.Http.GetAsync("/api/alerts");
            // Refused by the running service's hold on its data folder, also when the configuration given says another address.
            var elsewhere = Path.Combine(Path.GetDirectoryName(configPath)!, "elsewhere.yaml");
            File.WriteAllText(elsewhere, File.ReadAllText(configPath).Replace(service.Url, $"http://127.0.0.1:{Ports.Free()}", StringComparison.Ordinal));
            foreach (var given in new[] { configPath, elsewhere })
            {
                var refused = await VigieProcess.RunAsync(["restore", "--config", given, "--from", folder, "--reason", Reason]);
                Assert.Equal(1, refused.Code);
                Assert.Contains("is in use by another Vigie process", refused.Error);
                Assert.Contains("stop the service before restoring its database", refused.Error);
            }
        }
        finally
        {
            await service.DisposeAsync();
            // A stopped service's process ends; this one goes on, its pooled connections still on the file the restore moves aside.
            SqliteConnection.ClearAllPools();
        }
        var config = ConfigLoader.LoadFile(configPath);
        var data = config.Service.DataFolder;
        var replacedHead = (await AuditLog.ReadHeadAsync(AuditLog.HeadFileIn(data)))!;

        var tooShort = await VigieProcess.RunAsync(["restore", "--config", configPath, "--from", folder, "--reason", "oops"]);
        Assert.Equal(2, tooShort.Code);
        var restored = await VigieProcess.RunAsync(["restore", "--config", configPath, "--from", folder, "--reason", Reason]);
        Assert.True(restored.Code == 0, restored.Error);
        Assert.Contains("audit log intact", restored.Error);
        Assert.Contains($"went up to entry {replacedHead.Seq}", restored.Error);

        await using (var db = await Database.OpenAsync(config.Service.Storage, data))
        {
            Assert.Equal(3L, (await db.QueryAsync("SELECT COUNT(*) FROM alerts", r => r.GetInt64(0), CancellationToken.None))[0]);
            var audit = new AuditLog(db, data);
            Assert.True((await audit.VerifyAsync()).Intact);
            var entries = await audit.ReadAsync();
            Assert.Equal(AuditActions.Backup, entries[^2].Action); // the copy ends on the record of its making
            var restore = entries[^1];
            Assert.Equal(AuditActions.Restore, restore.Action);
            Assert.StartsWith("cli:", restore.Actor);
            Assert.Contains(Reason, restore.Detail);
            Assert.Equal(replacedHead.Seq, JsonNode.Parse(restore.Detail)!["replaced_head"]!["seq"]!.GetValue<long>());
        }
        // Nothing lost: the database replaced is kept whole beside it, the alert made after the backup included.
        var kept = Assert.Single(Directory.GetFiles(data, "vigie.db.replaced-*"), f => !f.EndsWith("-wal") && !f.EndsWith("-shm"));
        await using var replaced = new SqliteConnection($"Data Source={kept};Mode=ReadOnly");
        await replaced.OpenAsync();
        await using var count = replaced.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM alerts";
        Assert.Equal(4L, (long)(await count.ExecuteScalarAsync())!);

        // A damaged backup is refused and changes nothing.
        await File.WriteAllBytesAsync(Path.Combine(folder, "vigie.db"), new byte[64 * 1024]);
        var before = await File.ReadAllBytesAsync(Path.Combine(data, "vigie.db"));
        var damaged = await VigieProcess.RunAsync(["restore", "--config", configPath, "--from", folder, "--reason", Reason]);
        Assert.Equal(1, damaged.Code);
        Assert.Contains("the database is unchanged", damaged.Error);
        Assert.Equal(before, await File.ReadAllBytesAsync(Path.Combine(data, "vigie.db")));
        Assert.Empty(Directory.GetDirectories(data, "restoring-*"));
    }

    [Fact]
    public async Task A_postgres_database_is_backed_up_with_pg_dump_and_restored_and_a_backup_of_another_kind_or_version_is_refused()
    {
        var folder = TestPaths.TempFolder();
        var configPath = Path.Combine(folder, "service.yaml");
        await File.WriteAllTextAsync(configPath, $"""
            version: 1
            service:
              listen: http://127.0.0.1:{Ports.Free()}
              data_folder: data
              storage: {"{"} type: postgres, connection: "{postgres.NewDatabase()}" {"}"}
            cameras:
              - name: gate
                source: /nonexistent/recording.mp4
            """);
        async Task AddUserAsync(string name) => Assert.Equal(0, (await VigieProcess.RunAsync(
            ["user", "add", "--config", configPath, "--name", name, "--role", "operator", "--password-stdin"], "a long enough passphrase\n")).Code);
        await AddUserAsync("before");
        var backup = Path.Combine(folder, "backup");
        var made = await VigieProcess.RunAsync(["backup", "--config", configPath, "--out", backup]);
        Assert.True(made.Code == 0, made.Error);
        Assert.True(new FileInfo(Path.Combine(backup, "vigie.pgdump")).Length > 0);
        await AddUserAsync("after");

        var restored = await VigieProcess.RunAsync(["restore", "--config", configPath, "--from", backup, "--reason", Reason]);
        Assert.True(restored.Code == 0, restored.Error);
        var config = ConfigLoader.LoadFile(configPath);
        await using (var db = await Database.OpenAsync(config.Service.Storage, config.Service.DataFolder))
        {
            Assert.Equal(["before"], await db.QueryAsync("SELECT name FROM users ORDER BY name", r => r.GetString(0), CancellationToken.None));
            var audit = new AuditLog(db, config.Service.DataFolder);
            Assert.True((await audit.VerifyAsync()).Intact);
            Assert.Equal(AuditActions.Restore, (await audit.ReadAsync())[^1].Action);
        }
        Assert.Single(Directory.GetFiles(config.Service.DataFolder, "replaced-*.pgdump"));

        // A backup of SQLite under a PostgreSQL configuration, or from a newer Vigie, is refused before anything changes.
        var manifest = Path.Combine(backup, DatabaseBackup.ManifestFile);
        var original = await File.ReadAllTextAsync(manifest);
        await File.WriteAllTextAsync(manifest, original.Replace("\"postgres\"", "\"sqlite\""));
        var wrongKind = await VigieProcess.RunAsync(["restore", "--config", configPath, "--from", backup, "--reason", Reason]);
        Assert.Equal(1, wrongKind.Code);
        Assert.Contains("backup is of a sqlite database; service.storage.type is postgres", wrongKind.Error);
        var newer = JsonNode.Parse(original)!;
        newer["schema_versions"]!.AsArray().Add(999);
        await File.WriteAllTextAsync(manifest, newer.ToJsonString());
        var fromNewer = await VigieProcess.RunAsync(["restore", "--config", configPath, "--from", backup, "--reason", Reason]);
        Assert.Equal(1, fromNewer.Code);
        Assert.Contains("newer Vigie", fromNewer.Error);
        await File.WriteAllTextAsync(manifest, """{ "storage": "postgres", "schema_versions": [1] }""");
        var cut = await VigieProcess.RunAsync(["restore", "--config", configPath, "--from", backup, "--reason", Reason]);
        Assert.Equal(1, cut.Code);
        Assert.Contains("lacks database_file, audit_head", cut.Error);
        Assert.Single(Directory.GetFiles(config.Service.DataFolder, "replaced-*.pgdump"));
    }
}
