using System.CommandLine;
using Vigie.Service.Governance;
using Vigie.Service.Security;

namespace Vigie.Cli.Commands;

/// <summary>`vigie user add`: how the first administrator comes to exist — there is no default account or password.</summary>
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
        return new Command("user", "Manage the console's users from the command line.") { add };
    }

    private static Task<int> AddAsync(string configPath, string name, string role, bool fromStdin, CancellationToken ct) =>
        ServiceConfigFile.WithDataAsync(configPath, async (config, db, audit) =>
        {
            var password = fromStdin ? Console.In.ReadLine() ?? "" : AskTwice();
            if (password is null) return AnalyzeCommand.Fail("the two passwords differ", AnalyzeCommand.ExitBadInput);
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
