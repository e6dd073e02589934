using System.Text;

namespace Vigie.Tests.Cli;

/// <summary>
/// Runs a command while capturing what it writes to standard error: only what that run writes (its async flow), not what
/// tests running beside it in the same process write meanwhile.
/// </summary>
public static class ConsoleCapture
{
    private static readonly AsyncLocal<TextWriter?> Capturing = new();
    private static readonly Lazy<bool> Routed = new(() =>
    {
        Console.SetError(new Routing(Console.Error));
        return true;
    });

    public static async Task<(int Code, string Text)> Error(Func<Task<int>> run)
    {
        _ = Routed.Value;
        var writer = new StringWriter();
        Capturing.Value = TextWriter.Synchronized(writer);
        try
        {
            var code = await run();
            return (code, writer.ToString());
        }
        finally
        {
            Capturing.Value = null;
        }
    }

    /// <summary>Standard error as it was, except for the runs being captured.</summary>
    private sealed class Routing(TextWriter original) : TextWriter
    {
        private TextWriter Target => Capturing.Value ?? original;
        public override Encoding Encoding => original.Encoding;
        public override void Write(char value) => Target.Write(value);
        public override void Write(string? value) => Target.Write(value);
        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);
        public override void WriteLine(string? value) => Target.WriteLine(value);
        public override void Flush() => Target.Flush();
    }
}
