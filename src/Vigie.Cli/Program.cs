using System.CommandLine;
using Vigie.Cli.Commands;

var root = new RootCommand("Vigie: algorithmic video surveillance that detects events, never identifies people.")
{
    AnalyzeCommand.Create(),
    SampleCommand.Create(),
    SchemaCommand.Create(),
    BenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
