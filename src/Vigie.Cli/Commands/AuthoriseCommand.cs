using System.CommandLine;
using Vigie.Analytics;
using Vigie.Cli.Terminal;
using Vigie.Config;
using Vigie.Service.Governance;

namespace Vigie.Cli.Commands;

/// <summary>`vigie authorisation add`, `list`, `revoke`: the legal acts from the command line (administrators do the same in the console).</summary>
public static class AuthoriseCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "The service's configuration (its database is used).", Required = true };
        var reference = new Option<string>("--reference") { Description = "The act's reference, e.g. 'Arrêté préfectoral 2026-123'.", Required = true };
        var authority = new Option<string>("--authority") { Description = "Who issued it, e.g. 'Préfecture de police'.", Required = true };
        var actDate = new Option<DateOnly>("--act-date") { Description = "Date of the act (YYYY-MM-DD).", Required = true };
        var cameras = new Option<string[]>("--camera") { Description = "A camera it covers (repeat for several).", Required = true, AllowMultipleArgumentsPerToken = true };
        var useCases = new Option<string[]>("--use-case") { Description = $"A use case it allows (repeat): {string.Join(", ", EventKinds.All)}.", Required = true, AllowMultipleArgumentsPerToken = true };
        var from = new Option<DateTimeOffset>("--from") { Description = "Start of the period (ISO 8601).", Required = true };
        var to = new Option<DateTimeOffset>("--to") { Description = "End of the period (ISO 8601); analysis stops by itself then.", Required = true };
        var perimeter = new Option<string>("--perimeter") { Description = "The perimeter, as the act words it.", Required = true };
        var add = new Command("add", "Record an authorisation; the running service picks it up within a minute (at once when added from the console).")
        {
            config, reference, authority, actDate, cameras, useCases, from, to, perimeter,
        };
        add.SetAction(async (parse, ct) => await AddAsync(parse.GetValue(config)!, new NewAuthorisation(parse.GetValue(reference)!, parse.GetValue(authority)!,
            parse.GetValue(actDate), parse.GetValue(cameras)!, parse.GetValue(useCases)!, parse.GetValue(from), parse.GetValue(to), parse.GetValue(perimeter)!), ct));

        var list = new Command("list", "Every authorisation recorded, in force or not: reference, cameras, use cases, period, state.") { config };
        list.SetAction(async (parse, ct) => await ListAsync(parse.GetValue(config)!, ct));

        var id = new Option<long>("--id") { Description = "The authorisation's number (vigie authorisation list).", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why it is revoked (kept with it and in the audit log).", Required = true };
        var revoke = new Command("revoke",
            "Revoke an authorisation with a reason; the running service stops what it allowed within a minute (at once when revoked from the console).")
        {
            config, id, reason,
        };
        revoke.SetAction(async (parse, ct) => await RevokeAsync(parse.GetValue(config)!, parse.GetValue(id), parse.GetValue(reason)!, ct));
        return new Command("authorisation", "The legal acts that allow analysing cameras for use cases.") { add, list, revoke };
    }

    private static Task<int> ListAsync(string configPath, CancellationToken ct) =>
        ServiceConfigFile.WithDataAsync(configPath, async (config, db, _) =>
        {
            var site = config.SiteZone();
            var now = DateTimeOffset.UtcNow;
            string On(DateTimeOffset t) => $"{SiteTime.On(site, t):yyyy-MM-dd HH:mm}";
            Tables.Write(["id", "reference", "authority", "cameras", "use cases", "from", "to", "state"], (await new AuthorisationStore(db).AllAsync(ct))
                .Select(a => (IReadOnlyList<string>)[$"{a.Id}", a.Reference, a.Authority, string.Join(", ", a.Cameras), string.Join(", ", a.UseCases),
                    On(a.Starts), On(a.Ends),
                    a.Revoked is { } revoked ? $"revoked {On(revoked)} by {a.RevokedBy}: {a.RevokeReason}"
                    : a.InForce(now) ? "in force" : now < a.Starts ? "not yet" : "ended"]));
            return AnalyzeCommand.ExitOk;
        }, ct);

    private static Task<int> RevokeAsync(string configPath, long id, string reason, CancellationToken ct) =>
        ServiceConfigFile.WithDataAsync(configPath, async (_, db, audit) =>
        {
            var (revoked, missing, field, problem) = await new AuthorisationStore(db).RevokeRecordedAsync(id, reason, ServiceConfigFile.Actor, audit, ct);
            if (missing) return AnalyzeCommand.Fail($"--id: no authorisation {id}", AnalyzeCommand.ExitBadInput);
            if (revoked is null)
                return AnalyzeCommand.Fail($"{OptionOf(field!)}: {problem}", field == "reason" ? AnalyzeCommand.ExitBadInput : AnalyzeCommand.ExitFailed);
            Console.Error.WriteLine($"vigie: authorisation {id} ({revoked.Reference}) revoked; a running service stops what it allowed within a minute");
            return AnalyzeCommand.ExitOk;
        }, ct);

    /// <summary>The command-line option that sets a field of the request.</summary>
    private static string OptionOf(string field) => field switch
    {
        "cameras" => "--camera",
        "use_cases" => "--use-case",
        "starts" => "--from",
        "ends" => "--to",
        _ => "--" + field.Replace('_', '-'),
    };

    private static Task<int> AddAsync(string configPath, NewAuthorisation request, CancellationToken ct) =>
        ServiceConfigFile.WithDataAsync(configPath, async (config, db, audit) =>
        {
            var errors = request.Validate(config.Cameras.Select(c => c.Name).ToList());
            if (errors.Count > 0)
                return AnalyzeCommand.Fail(string.Join("; ", errors.Select(e => $"{OptionOf(e.Key)}: {string.Join(" ", e.Value)}")), AnalyzeCommand.ExitBadInput);
            var created = await new AuthorisationStore(db).CreateAsync(request, ServiceConfigFile.Actor, DateTimeOffset.UtcNow, ct);
            await audit.AppendAsync(ServiceConfigFile.Actor, AuditActions.AuthorisationCreate, $"authorisation:{created.Id}", created, ct);
            Console.Error.WriteLine($"vigie: authorisation {created.Id} recorded: {string.Join(", ", created.UseCases)} on {string.Join(", ", created.Cameras)}, " +
                                    $"{created.Starts:u} to {created.Ends:u}");
            return AnalyzeCommand.ExitOk;
        }, ct);
}
