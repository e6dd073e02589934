using System.CommandLine;

namespace Vigie.Cli.Commands;

/// <summary>`vigie audit verify`: checks the audit log's hash chain and says where it was tampered with.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "The service's configuration (its database and data folder are used).", Required = true };
        var verify = new Command("verify", "Walk the whole audit log: exit 0 when intact; else list each modified, inserted or deleted entry and exit 1.") { config };
        verify.SetAction(async (parse, ct) => await VerifyAsync(parse.GetValue(config)!, ct));
        return new Command("audit", "The tamper-evident audit log.") { verify };
    }

    private static Task<int> VerifyAsync(string configPath, CancellationToken ct) => ServiceConfigFile.WithDataAsync(configPath, async (_, _, audit) =>
    {
        var result = await audit.VerifyAsync(ct);
        if (result.Intact)
        {
            Console.WriteLine($"audit log intact: {result.Entries} entries, head {result.HeadHash}");
            return AnalyzeCommand.ExitOk;
        }
        Console.WriteLine($"audit log BROKEN: {result.Entries} entries read, {result.Breaks.Count} problem(s):");
        foreach (var b in result.Breaks) Console.WriteLine($"  entry {b.Seq}: {b.Problem}");
        return AnalyzeCommand.ExitFailed;
    }, ct);
}
