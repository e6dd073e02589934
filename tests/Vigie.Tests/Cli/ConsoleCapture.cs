namespace Vigie.Tests.Cli;

/// <summary>Runs a command while capturing what it writes to standard error; one capture at a time.</summary>
public static class ConsoleCapture
{
    private static readonly SemaphoreSlim Lock = new(1, 1);

    public static async Task<(int Code, string Text)> Error(Func<Task<int>> run)
    {
        await Lock.WaitAsync();
        var previous = Console.Error;
        var writer = new StringWriter();
        try
        {
            Console.SetError(writer);
            var code = await run();
            return (code, writer.ToString());
        }
        finally
        {
            Console.SetError(previous);
            Lock.Release();
        }
    }
}
