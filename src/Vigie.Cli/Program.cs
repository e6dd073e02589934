using System.CommandLine;
using Vigie.Cli.Commands;

var root = new RootCommand("Vigie: algorithmic video surveillance that detects events, never identifies people.")
{
    AnalyzeCommand.Create(),
    EvalCommand.Create(),
    SampleCommand.Create(),
    SchemaCommand.Create(),
    BenchCommand.Create(),
    ServeCommand.Create(),
    CheckCommand.Create(),
    UserCommand.Create(),
    AuthoriseCommand.Create(),
    AuditCommand.Create(),
    IndexCommand.Create(),
    SearchCommand.Create(),
    SynopsisCommand.Create(),
};
foreach (var command in BackupCommand.Create()) root.Subcommands.Add(command);
try
{
    // Ctrl+C cancels the analysis, which then flushes and closes its outputs: give it time to do so.
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration
        { ProcessTerminationTimeout = TimeSpan.FromSeconds(15), EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException e) when (e.InnerException is not TimeoutException)
{
    // The only cancellation a command is given is Ctrl+C's (or SIGTERM's); those that keep partial results say so themselves.
    Console.Error.WriteLine("stopped by the user");
    return 130;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    // A full disk or a folder that cannot be written, wherever a command meets it: one line, as the commands' own errors are.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
catch (Exception e)
{
    // A fault of vigie's own: the whole trace, for the bug report.
    Console.Error.WriteLine($"Unhandled exception: {e}");
    return 1;
}
