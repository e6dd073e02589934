using Microsoft.Extensions.Logging;

namespace Vigie.Cli.Terminal;

/// <summary>Engine warnings and errors go to stderr, one line each, so stdout stays clean for results.</summary>
public sealed class StderrLogger(LogLevel minimum = LogLevel.Warning) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var level = logLevel switch
        {
            LogLevel.Warning => "warning",
            LogLevel.Error or LogLevel.Critical => "error",
            _ => "info",
        };
        Console.Error.WriteLine($"{level}: {formatter(state, exception)}");
        // A bug to report: where it happened matters more than a short screen.
        if (exception is not null) Console.Error.WriteLine(exception.ToString());
    }
}
