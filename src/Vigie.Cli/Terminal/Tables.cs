using Spectre.Console;

namespace Vigie.Cli.Terminal;

/// <summary>
/// A listing: a drawn table on a terminal; tab-separated lines, a header first, when the output goes to a file or a
/// pipe (a drawn table is cut to 80 columns there, and a script reads columns better than boxes).
/// </summary>
public static class Tables
{
    public static void Write(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            Console.WriteLine(string.Join('\t', headers));
            foreach (var row in rows) Console.WriteLine(string.Join('\t', row.Select(cell => cell.Replace('\t', ' ').Replace('\n', ' '))));
            return;
        }
        var table = new Table().AddColumns([.. headers]);
        foreach (var row in rows) table.AddRow([.. row.Select(Markup.Escape)]);
        AnsiConsole.Write(table);
    }
}
