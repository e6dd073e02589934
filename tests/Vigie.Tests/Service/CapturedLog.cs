using Microsoft.Extensions.Logging;

namespace Vigie.Tests.Service;

/// <summary>A logger keeping the lines of warnings and errors, for tests to read.</summary>
public sealed class CapturedLog<T> : ILogger<T>
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Warning)
            lock (Lines) Lines.Add(formatter(state, exception));
    }
}
