using System.CommandLine;
using Vigie.Config;

namespace Vigie.Cli.Commands;

/// <summary>`vigie schema`: the JSON Schema of scene configurations, generated from the types.</summary>
public static class SchemaCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out", "-o") { Description = "Write to this file instead of stdout." };
        var command = new Command("schema", "Print the JSON Schema of the scene configuration.") { output };
        command.SetAction(parse =>
        {
            var schema = SchemaGenerator.Generate();
            if (parse.GetValue(output) is { } path) File.WriteAllText(path, schema);
            else Console.Write(schema);
            return 0;
        });
        return command;
    }
}
