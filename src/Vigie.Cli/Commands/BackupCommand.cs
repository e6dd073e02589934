using System.CommandLine;
using System.Diagnostics;
using Vigie.Config;
using Vigie.Service.Governance;
using Vigie.Service.Storage;

namespace Vigie.Cli.Commands;

/// <summary>`vigie backup` and `vigie restore`: the service's database, audit head and configuration, copied and put back.</summary>
public static class BackupCommand
{
    private const int MinimumReasonLength = 10;

    public static IEnumerable<Command> Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "The service's configuration (its database and data folder are used).", Required = true };
        var output = new Option<string>("--out") { Description = "A new or empty folder for the backup (made readable by its owner only).", Required = true };
        var backup = new Command("backup",
            "Copy the database (consistently, while the service runs), the audit log's head and the configuration into a folder. Evidence files are not copied.")
        {
            config, output,
        };
        backup.SetAction(async (parse, ct) => await BackupAsync(parse.GetValue(config)!, parse.GetValue(output)!, ct));

        var from = new Option<string>("--from") { Description = "The backup folder, as `vigie backup` wrote it.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why the database is restored (written in the audit log).", Required = true };
        var restore = new Command("restore",
            "Put a backup's database in place of the service's (stopped first). The database replaced is kept beside it; the audit log records the restore.")
        {
            config, from, reason,
        };
        restore.SetAction(async (parse, ct) => await RestoreAsync(parse.GetValue(config)!, parse.GetValue(from)!, parse.GetValue(reason)!, ct));
        return [backup, restore];
    }

    private static Task<int> BackupAsync(string configPath, string folder, CancellationToken ct) =>
        ServiceConfigFile.WithDataAsync(configPath, async (config, db, audit) =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var made = await DatabaseBackup.CreateAsync(db, config, configPath, audit, folder, ServiceConfigFile.Actor, ct);
                var retention = config.Service.Retention;
                Console.Error.WriteLine($"vigie: backup of the {made.Storage} database ({made.Alerts} alerts, audit log up to entry {made.AuditHead.Seq}) " +
                                        $"and {made.Configuration} written to {Path.GetFullPath(folder)} in {clock.Elapsed.TotalSeconds:0.0} s. " +
                                        $"Evidence files are not in it. It holds who reviewed what and the cameras' addresses: keep it safe, and no longer " +
                                        $"than alerts are kept ({retention.AlertMonths} months).");
                return AnalyzeCommand.ExitOk;
            }
            catch (BackupException e)
            {
                return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitFailed);
            }
        }, ct);

    private static async Task<int> RestoreAsync(string configPath, string folder, string reason, CancellationToken ct)
    {
        SceneConfig config;
        try
        {
            config = ServiceConfigFile.Load(configPath);
        }
        catch (ConfigException e)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
        }
        if (reason.Trim().Length < MinimumReasonLength)
            return AnalyzeCommand.Fail($"--reason: say why the database is restored (at least {MinimumReasonLength} characters)", AnalyzeCommand.ExitBadInput);
        DataFolderLock folderLock;
        try
        {
            folderLock = DataFolderLock.Take(config.Service.DataFolder, "vigie restore");
        }
        catch (DataFolderInUseException e)
        {
            return AnalyzeCommand.Fail($"{e.Message}: stop the service before restoring its database", AnalyzeCommand.ExitFailed);
        }
        // Held to the end: a service started meanwhile is refused rather than opening the database being replaced.
        using var _ = folderLock;
        try
        {
            folder = Path.GetFullPath(folder);
            var backup = await DatabaseBackup.ReadAsync(folder, config, ct);
            var restored = await DatabaseBackup.RestoreAsync(backup, folder, config, reason.Trim(), ServiceConfigFile.Actor, ct);
            Console.Error.WriteLine($"vigie: restored the backup of {backup.Created:yyyy-MM-dd HH:mm:ss}Z ({backup.Alerts} alerts, audit log up to entry " +
                                    $"{backup.AuditHead.Seq}); audit entry {restored.Entry.Seq} records the restore.");
            if (restored.ReplacedHead is { } replaced && replaced.Seq > backup.AuditHead.Seq)
                Console.Error.WriteLine($"vigie: the replaced audit log went up to entry {replaced.Seq}: " +
                                        (replaced.Seq == backup.AuditHead.Seq + 1 ? $"entry {replaced.Seq} of it is" : $"entries {backup.AuditHead.Seq + 1}..{replaced.Seq} of it are") +
                                        " in the kept copy only.");
            foreach (var kept in restored.KeptFiles) Console.Error.WriteLine($"vigie: kept {kept}");
        }
        catch (Exception e) when (e is BackupException or StorageException)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitFailed);
        }
        return await ServiceConfigFile.WithDataAsync(configPath, async (_, _, audit) =>
        {
            var check = await audit.VerifyAsync(ct);
            Console.Error.WriteLine(check.Intact
                ? $"vigie: audit log intact: {check.Entries} entries"
                : $"vigie: the restored audit log is BROKEN ({check.Breaks.Count} problem(s)): run vigie audit verify");
            return check.Intact ? AnalyzeCommand.ExitOk : AnalyzeCommand.ExitFailed;
        }, ct);
    }
}
