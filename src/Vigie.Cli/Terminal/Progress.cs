using System.Diagnostics;
using Spectre.Console;

namespace Vigie.Cli.Terminal;

/// <summary>
/// Progress of a long analysis: a live bar with fps and ETA on a terminal, plain lines every few seconds
/// otherwise (CI, pipes, logs), since Spectre prints nothing when stdout is not a terminal.
/// </summary>
public sealed class ProgressDisplay
{
    private TimeSpan? _total;
    private readonly bool _live;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive;
    private ProgressTask? _task;
    private long _frames;
    private TimeSpan _position;
    private TimeSpan _lastPrinted = TimeSpan.Zero;
    private readonly string _done;
    private readonly bool _frameRate;

    /// <param name="total">Video time to go through; null for a live stream, or when the work tells it as it starts (<see cref="AdvanceTo"/>).</param>
    /// <param name="done">What happened to the video time counted ("analysed"; "decoded or written" for a synopsis).</param>
    /// <param name="frameRate">Each <see cref="Advance"/> is a frame, so frames per second mean something.</param>
    public ProgressDisplay(TimeSpan? total, bool live = true, string done = "analysed", bool frameRate = true)
    {
        _total = total;
        _live = live && total is null;
        _done = done;
        _frameRate = frameRate;
        _interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
    }

    public async Task RunAsync(string title, Func<Task> work)
    {
        if (!_interactive)
        {
            Console.WriteLine($"{title}{(_total is { } t ? $" ({t.TotalSeconds:0.0} s of video)" : _live ? " (live)" : "")}");
            await work();
            return;
        }
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                _task = ctx.AddTask(Markup.Escape(title), maxValue: _total?.TotalSeconds ?? 1);
                if (_live) _task.IsIndeterminate = true;
                await work();
                _task.Value = _task.MaxValue;
                _task.StopTask();
            });
    }

    /// <summary>Called after each analysed frame with its time in the video.</summary>
    public void Advance(TimeSpan position)
    {
        _frames++;
        _position = position;
        var fps = _frames / Math.Max(1e-3, _clock.Elapsed.TotalSeconds);
        var speed = position.TotalSeconds / Math.Max(1e-3, _clock.Elapsed.TotalSeconds);
        if (_task is not null)
        {
            _task.Value = Math.Min(position.TotalSeconds, _task.MaxValue);
            _task.Description = _frameRate ? $"{fps:0} fps, {speed:0.0}x real time" : $"{speed:0.0}x real time";
            return;
        }
        if (_clock.Elapsed - _lastPrinted < TimeSpan.FromSeconds(2)) return;
        _lastPrinted = _clock.Elapsed;
        var eta = _total is { } total && speed > 0 ? $", ETA {(total - position).TotalSeconds / speed:0} s" : "";
        var percent = _total is { } t2 ? $"{100 * position.TotalSeconds / t2.TotalSeconds:0}% " : "";
        var rate = _frameRate ? $"{fps:0} fps, " : "";
        Console.WriteLine($"progress {percent}{position.TotalSeconds:0.0} s {_done}, {rate}{speed:0.0}x real time{eta}");
    }

    /// <summary>For work whose total is known once it starts, e.g. several pieces of video analysed at once.</summary>
    public void AdvanceTo(TimeSpan done, TimeSpan total)
    {
        if (_total != total)
        {
            _total = total;
            if (_task is not null) _task.MaxValue = total.TotalSeconds;
        }
        Advance(done);
    }

    public void Say(string plainText)
    {
        if (_interactive) AnsiConsole.MarkupLine(Markup.Escape(plainText));
        else Console.WriteLine(plainText);
    }

    public TimeSpan Elapsed => _clock.Elapsed;
    public TimeSpan Position => _position;
}
