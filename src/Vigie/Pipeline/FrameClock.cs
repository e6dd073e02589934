using Vigie.Config;

namespace Vigie.Pipeline;

/// <summary>
/// The clock time of each analysed frame, for schedules, alerts and evidence stamps. A recording's frames are its start
/// plus their stream time. A live camera's cannot be: the source is opened a connection and a key frame before its
/// first frame arrives (half a second on loopback with one key frame a second, seconds on real cameras), and its
/// stream time runs on the camera's own oscillator, seconds a day off true time, for as long as the stream lasts.
/// So a live camera's clock follows when its frames arrive, on this machine's clock: anchored on the least delayed
/// frame of the last minute, since the network and decoding only ever delay a frame, never hasten it; a burst of late
/// frames moves nothing, and between anchors the frames keep their own spacing.
/// </summary>
public sealed class FrameClock
{
    /// <summary>How long the least delayed frame anchors a live camera's clock before a fresher one takes over.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly TimeZoneInfo _site;
    private readonly DateTimeOffset? _recordingStart;
    private DateTimeOffset? _anchor;
    private DateTimeOffset? _windowBest;
    private DateTimeOffset _windowStarted;

    private FrameClock(TimeZoneInfo site, DateTimeOffset? recordingStart)
    {
        _site = site;
        _recordingStart = recordingStart;
    }

    /// <summary>A recording (or a stream given its start): the start plus each frame's stream time.</summary>
    public static FrameClock Recording(DateTimeOffset start, TimeZoneInfo site) => new(site, start);

    /// <summary>A live camera: each frame's clock follows when frames arrive.</summary>
    public static FrameClock Live(TimeZoneInfo site) => new(site, null);

    /// <param name="streamTime">The frame's time in its stream.</param>
    /// <param name="arrived">When it reached Vigie, on this machine's clock (live cameras only).</param>
    public DateTimeOffset At(TimeSpan streamTime, DateTimeOffset arrived)
    {
        if (_recordingStart is { } start) return SiteTime.On(_site, start + streamTime); // a recording across a change of summer time
        var zero = arrived - streamTime;
        if (_anchor is null || zero < _anchor) _anchor = zero;
        if (_windowBest is null || zero < _windowBest) _windowBest = zero;
        // A camera whose stream time runs slow makes every frame seem later than the anchor: a minute's least delayed
        // frame takes over, so the clock never falls behind by more than the minute's drift (milliseconds).
        if (arrived - _windowStarted >= Window)
        {
            _anchor = _windowBest;
            _windowBest = null;
            _windowStarted = arrived;
        }
        return SiteTime.On(_site, _anchor!.Value + streamTime);
    }
}
