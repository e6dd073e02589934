using System.CommandLine;
using Vigie.Cli.Terminal;
using Vigie.Config;
using Vigie.Service.Api;
using Vigie.Service.Governance;
using Vigie.Service.Security;

namespace Vigie.Cli.Commands;

/// <summary>
/// `vigie user add`: how the first administrator comes to exist — there is no default account or password; `list` and
/// `change`: what the console's Users page does, for scripts and for when no administrator can sign in.
/// </summary>
public static class UserCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "The service's configuration (its database is used).", Required = true };
        var name = new Option<string>("--name") { Description = "User name: letters, digits, '.', '-', '_'.", Required = true };
        var role = new Option<string>("--role") { Description = $"One of {string.Join(", ", Roles.All)}.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.All]);
        var fromStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input (scripts) instead of asking twice." };
        var add = new Command("add", "Create a user. The password is asked for (not echoed) or read from stdin; it must be at least 12 characters.")
        {
            config, name, role, fromStdin,
        };
        add.SetAction(async (parse, ct) => await AddAsync(parse.GetValue(config)!, parse.GetValue(name)!, parse.GetValue(role)!, parse.GetValue(fromStdin), ct));

        var list = new Command("list", "Every user: role, when created, failed sign-ins, whether locked or disabled.") { config };
        list.SetAction(async (parse, ct) => await ListAsync(parse.GetValue(config)!, ct));

        var newRole = new Option<string?>("--role") { Description = $"A new role: one of {string.Join(", ", Roles.All)}." };
        newRole.AcceptOnlyFromAmong([.. Roles.All]);
        var disable = new Option<bool>("--disable") { Description = "Disable the account (users are never deleted: the audit log keeps its meaning)." };
        var enable = new Option<bool>("--enable") { Description = "Enable a disabled account." };
        var unlock = new Option<bool>("--unlock") { Description = "Lift a lockout after failed sign-ins, everywhere." };
        var password = new Option<bool>("--password") { Description = "Set a new password, asked for twice (or read from stdin with --password-stdin)." };
        var change = new Command("change",
            "Change a user: role, disable or enable, unlock, new password; their sessions end. Audited. A way back in when the only administrator is locked out.")
        {
            config, name, newRole, disable, enable, unlock, password, fromStdin,
        };
        change.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(disable) && parse.GetValue(enable)) return AnalyzeCommand.Fail("--disable and --enable: choose one", AnalyzeCommand.ExitBadInput);
            var request = new UserChangeRequest(parse.GetValue(newRole), parse.GetValue(disable) ? true : parse.GetValue(enable) ? false : null,
                parse.GetValue(unlock) ? true : null, null);
            var newPassword = parse.GetValue(password) || parse.GetValue(fromStdin);
            if (request is { Role: null, Disabled: null, Unlock: null } && !newPassword)
                return AnalyzeCommand.Fail("nothing to change: give --role, --disable, --enable, --unlock or --password", AnalyzeCommand.ExitBadInput);
            return await ChangeAsync(parse.GetValue(config)!, parse.GetValue(name)!, request, newPassword, parse.GetValue(fromStdin), ct);
        });
        return new Command("user", "Manage the console's users from the command line.") { add, list, change };
    }

    private static Task<int> ListAsync(string configPath, CancellationToken ct) =>
        ServiceConfigFile.WithDataAsync(configPath, async (config, db, _) =>
        {
            var site = config.SiteZone();
            var now = DateTimeOffset.UtcNow;
            Tables.Write(["name", "role", "created", "failed sign-ins", "state"], (await new UserStore(db, config.Service.Security).AllAsync(ct))
                .Select(u => (IReadOnlyList<string>)[u.Name, u.Role, $"{SiteTime.On(site, u.Created):yyyy-MM-dd HH:mm}", $"{u.FailedLogins}",
                    u.Disabled is { } off ? $"disabled {SiteTime.On(site, off):yyyy-MM-dd HH:mm}"
                    : u.LockedUntil is { } until && until > now ? $"locked until {SiteTime.On(site, until):yyyy-MM-dd HH:mm}" : "active"]));
            return AnalyzeCommand.ExitOk;
        }, ct);

    private static Task<int> ChangeAsync(string configPath, string name, UserChangeRequest request, bool newPassword, bool fromStdin, CancellationToken ct) =>
        ServiceConfigFile.WithDataAsync(configPath, async (config, db, audit) =>
        {
            var users = new UserStore(db, config.Service.Security);
            var all = await users.AllAsync(ct);
            if (all.FirstOrDefault(u => u.Name == name) is not { } user) return AnalyzeCommand.Fail($"--name: no user '{name}'", AnalyzeCommand.ExitBadInput);
            // The console keeps administrators from disabling or demoting themselves; here, nobody may leave the service without one.
            var leaves = user is { Role: Roles.Administrator, Disabled: null } && (request.Disabled is true || request.Role is { } r && r != Roles.Administrator);
            if (leaves && !all.Any(u => u.Name != name && u is { Role: Roles.Administrator, Disabled: null }))
                return AnalyzeCommand.Fail($"'{name}' is the only enabled administrator: add another (vigie user add … --role administrator) first",
                    AnalyzeCommand.ExitFailed);
            string? password = null;
            if (newPassword && (password = ReadPassword(fromStdin)) is null) return AnalyzeCommand.Fail("the two passwords differ", AnalyzeCommand.ExitBadInput);
            try
            {
                var changed = (await UserEndpoints.ApplyChangeAsync(users, audit, ServiceConfigFile.Actor, name, request with { Password = password }, ct))!;
                Console.Error.WriteLine($"vigie: user '{name}' changed: role {changed.Role}, {(changed.Disabled is null ? "enabled" : "disabled")}" +
                                        $"{(request.Unlock is true ? ", unlocked" : "")}{(password is null ? "" : ", new password")}; their sessions ended");
                return AnalyzeCommand.ExitOk;
            }
            catch (ArgumentException e)
            {
                return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
            }
        }, ct);

    private static Task<int> AddAsync(string configPath, string name, string role, bool fromStdin, CancellationToken ct) =>
        ServiceConfigFile.WithDataAsync(configPath, async (config, db, audit) =>
        {
            if (ReadPassword(fromStdin) is not { } password) return AnalyzeCommand.Fail("the two passwords differ", AnalyzeCommand.ExitBadInput);
            try
            {
                var user = await new UserStore(db, config.Service.Security).CreateAsync(name, role, password, DateTimeOffset.UtcNow, ct);
                await audit.AppendAsync(ServiceConfigFile.Actor, AuditActions.UserCreate, $"user:{user.Name}", new { user.Role }, ct);
                Console.Error.WriteLine($"vigie: user '{user.Name}' created with role {user.Role}");
                return AnalyzeCommand.ExitOk;
            }
            catch (ArgumentException e)
            {
                return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
            }
        }, ct);

    /// <summary>The first line of standard input, or the password asked for twice; null when the two differ.</summary>
    private static string? ReadPassword(bool fromStdin) => fromStdin ? Console.In.ReadLine() ?? "" : AskTwice();

    /// <summary>Asks for the password twice without echoing it; null when the two differ.</summary>
    private static string? AskTwice()
    {
        var first = Ask("Password: ");
        var second = Ask("Again: ");
        return first == second ? first : null;
    }

    private static string Ask(string prompt)
    {
        Console.Error.Write(prompt);
        if (Console.IsInputRedirected) return Console.In.ReadLine() ?? "";
        var typed = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (typed.Length > 0) typed.Length--; }
            else if (!char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return typed.ToString();
    }
}
