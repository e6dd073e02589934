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
    UserCommand.Create(),
    AuthoriseCommand.Create(),
    AuditCommand.Create(),
    IndexCommand.Create(),
    SearchCommand.Create(),
    SynopsisCommand.Create(),
};
// Ctrl+C cancels the analysis, which then flushes and closes its outputs: give it time to do so.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15) });
