using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tracking;

public readonly record struct TimedBox(TimeSpan Time, Box Box);

/// <summary>
/// One object followed by one camera's tracker over a short time. Ids are per camera and never reused
/// within a run; nothing links a track to another camera or to a later appearance.
/// </summary>
public sealed record Track(
    int Id,
    Box Box,
    Category Category,
    string Label,
    float Score,
    TimeSpan FirstSeen,
    TimeSpan LastSeen,
    Point2 Velocity,
    IReadOnlyList<TimedBox> History);

/// <summary>What the tracker says after each frame.</summary>
/// <param name="Lost">Tracks not seen on this frame that the tracker still remembers (for its lost buffer), at their last box.</param>
public sealed record TrackerUpdate(
    TimeSpan Time,
    IReadOnlyList<Track> Visible,
    IReadOnlyList<Track> Ended,
    IReadOnlyList<Track> Lost);

public sealed record TrackerOptions
{
    /// <summary>Detections at or above this score are matched first (ByteTrack's high set).</summary>
    public float HighThreshold { get; init; } = 0.5f;
    /// <summary>Detections between this and the high threshold can only continue existing tracks.</summary>
    public float LowThreshold { get; init; } = 0.1f;
    /// <summary>Minimum score for a detection to start a new track.</summary>
    public float NewTrackThreshold { get; init; } = 0.6f;
    /// <summary>Minimum IoU between a predicted track box and a high-score detection.</summary>
    public float MatchIou { get; init; } = 0.2f;
    /// <summary>Minimum IoU for the second, low-score association.</summary>
    public float LowMatchIou { get; init; } = 0.5f;
    /// <summary>
    /// Minimum score of a leftover detection that may take over a track lost within <see cref="RecoverWithin"/>
    /// where it was last seen (the detector's own score threshold: what it reports as found).
    /// </summary>
    public float RecoverThreshold { get; init; } = 0.3f;
    /// <summary>How long a lost track may still be taken up again at its last place (longer, a crowd's tracks hop between people).</summary>
    public TimeSpan RecoverWithin { get; init; } = TimeSpan.FromSeconds(0.5);
    /// <summary>How long a track that is not seen is kept before it ends.</summary>
    public TimeSpan LostBuffer { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Whether the camera's own motion (pan, tilt, zoom, shake) is measured and taken out of the tracks.</summary>
    public bool FollowCamera { get; init; } = true;
    /// <summary>How much past motion a track keeps for the rules.</summary>
    public TimeSpan HistoryLength { get; init; } = TimeSpan.FromSeconds(30);
}
