using Vigie.Video;
namespace Vigie.Service.Cameras;

public static class CameraStates
{
    public const string Starting = "starting";
    public const string Online = "online";
    public const string Reconnecting = "reconnecting";
    /// <summary>A recording that was played to its end (and does not loop).</summary>
    public const string Ended = "ended";
    /// <summary>The camera cannot run as configured (bad model, bad config); retrying would not help.</summary>
    public const string Failed = "failed";
    public const string Stopped = "stopped";
    /// <summary>No authorisation in force covers any of the camera's use cases: it is not analysed, not even opened.</summary>
    public const string Unauthorised = "unauthorised";
}

/// <summary>A camera's health as the console and the API show it.</summary>
public sealed record CameraStatus(
    string Name,
    string Source,
    string State,
    double Fps,
    DateTimeOffset? LastFrameAt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    int Reconnects,
    long FramesAnalysed,
    long FramesDropped,
    int Width,
    int Height,
    IReadOnlyList<string> UseCases,
    IReadOnlyList<string> Refused);

/// <summary>Health counters of one camera, written by its worker, read by the API from other threads.</summary>
public sealed class CameraHealth(string name, string source)
{
    private static readonly TimeSpan FpsWindow = TimeSpan.FromSeconds(5);
    private readonly object _gate = new();
    private readonly Queue<DateTimeOffset> _recent = new();
    private string _state = CameraStates.Starting;
    private DateTimeOffset? _lastFrame;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private int _reconnects;
    private long _frames;
    private long _dropped;
    private int _width;
    private int _height;
    private IReadOnlyList<string> _useCases = [];
    private IReadOnlyList<string> _refused = [];

    /// <summary>The use cases analysed, and those configured but refused for lack of an authorisation in force.</summary>
    public void Scope(IReadOnlyList<string> useCases, IReadOnlyList<string> refused)
    {
        lock (_gate)
        {
            _useCases = useCases;
            _refused = refused;
        }
    }

    public void FrameAnalysed(DateTimeOffset now, int width, int height)
    {
        lock (_gate)
        {
            _state = CameraStates.Online;
            _lastFrame = now;
            _frames++;
            _width = width;
            _height = height;
            _recent.Enqueue(now);
            while (_recent.Count > 0 && now - _recent.Peek() > FpsWindow) _recent.Dequeue();
        }
    }

    public void Set(string state)
    {
        lock (_gate) _state = state;
    }

    public void Failed(string state, string error, DateTimeOffset now, bool reconnecting)
    {
        lock (_gate)
        {
            _state = state;
            _lastError = error;
            _lastErrorAt = now;
            if (reconnecting) _reconnects++;
        }
    }

    /// <summary>An error that leaves the camera running (a rule stopped, its other use cases going on).</summary>
    public void Warn(string error, DateTimeOffset now)
    {
        lock (_gate)
        {
            _lastError = error;
            _lastErrorAt = now;
        }
    }

    public void Dropped(long frames)
    {
        lock (_gate) _dropped += frames;
    }

    public CameraStatus Read(DateTimeOffset now)
    {
        lock (_gate)
        {
            while (_recent.Count > 0 && now - _recent.Peek() > FpsWindow) _recent.Dequeue();
            var fps = _recent.Count >= 2 ? (_recent.Count - 1) / Math.Max(0.2, (now - _recent.Peek()).TotalSeconds) : 0;
            return new CameraStatus(name, Credentials.Hidden(source), _state, Math.Round(fps, 1), _lastFrame, _lastError, _lastErrorAt, _reconnects,
                _frames, _dropped, _width, _height, _useCases, _refused);
        }
    }
}
