using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Analytics;

/// <summary>Everything a rule may look at after one analysed frame. Rules are pure over it.</summary>
public sealed record SceneState(
    string Camera,
    TimeSpan Time,
    DateTimeOffset Clock,
    int FrameWidth,
    int FrameHeight,
    IReadOnlyList<Track> Tracks,
    IReadOnlyList<Track> EndedTracks)
{
    /// <summary>
    /// This frame's detections the rules count on (e.g. people not yet tracked): the main detector's confident
    /// ones and the weapon, fire and smoke detections of the extra detectors.
    /// </summary>
    public IReadOnlyList<Detection> Detections { get; init; } = [];

    /// <summary>
    /// How the camera's view moved since the tracks last moved with it (see <see cref="Perception.ViewMotion"/>: small
    /// moves add up until they count); null when it held still or could not be measured. The tracks and their past
    /// have followed it already; a rule that keeps people's boxes of its own moves them with it, so that they stay on
    /// the same people.
    /// </summary>
    public ViewShift? View { get; init; }

    /// <summary>Foreground and optical flow on a coarse grid; null unless a rule asked for it.</summary>
    public MotionField? Motion { get; init; }

    /// <summary>People per grid cell from the crowd-counting model (its latest run); null without one.</summary>
    public CrowdMap? CrowdMap { get; init; }

    /// <summary>People found by the crowd-density counting pass (its latest run); null without one.</summary>
    public CountedPeople? CountedPeople { get; init; }

    /// <summary>Flame colour, flicker and smoke cues on a coarse grid; null unless a rule asked for them.</summary>
    public FireCues? Fire { get; init; }

    /// <summary>New things that stopped moving (dual background model); null unless a rule asked for them.</summary>
    public IReadOnlyList<StaticRegion>? StaticRegions { get; init; }

    /// <summary>
    /// The look of a box (frame pixels) of this frame, for objects only; null unless a rule asked for it.
    /// Valid only while the rules look at this state: keep the looks, never this function.
    /// </summary>
    public Func<Box, ObjectLook?>? LookAt { get; init; }

    /// <summary>
    /// The look of a box in the first frame analysed: what stood there when the analysis started. Offered
    /// with <see cref="LookAt"/>, on the same terms.
    /// </summary>
    public Func<Box, ObjectLook?>? LookAtOpening { get; init; }

    /// <summary>The clock time of an earlier moment of the stream (an event's start), as this frame's clock reads.</summary>
    public DateTimeOffset ClockAt(TimeSpan time) => Clock - (Time - time);

    /// <summary>A pixel point in normalised image coordinates (0..1), the unit zones are drawn in.</summary>
    public Point2 Normalise(Point2 p) => new(p.X / FrameWidth, p.Y / FrameHeight);

    public Box Normalise(Box b) => new(b.X / FrameWidth, b.Y / FrameHeight, b.Width / FrameWidth, b.Height / FrameHeight);
}

/// <summary>The eight VSA use cases, named as in ground-truth files and reports.</summary>
public static class EventKinds
{
    public const string AbandonedObject = "abandoned_object";
    public const string Weapon = "weapon";
    public const string WrongWay = "wrong_way";
    public const string Intrusion = "intrusion";
    public const string PersonDown = "person_down";
    public const string CrowdMovement = "crowd_movement";
    public const string CrowdDensity = "crowd_density";
    public const string Fire = "fire";

    public static readonly IReadOnlyList<string> All =
        [AbandonedObject, Weapon, WrongWay, Intrusion, PersonDown, CrowdMovement, CrowdDensity, Fire];

    /// <summary>Whether the event's box frames a thing (flames, a left bag, a weapon) rather than people or a zone.</summary>
    public static bool AboutAThing(string kind) => kind is Fire or AbandonedObject or Weapon;
}

/// <summary>
/// An event raised by a rule. <see cref="RaisedAt"/> is when the alert went out (the rule's condition was
/// met); <see cref="Start"/> when the situation began (e.g. the entry into the zone); <see cref="End"/>
/// is null while it lasts. Box is normalised (0..1) like zones.
/// </summary>
public sealed record SceneEvent(
    string Camera,
    string Kind,
    string Where,
    TimeSpan Start,
    TimeSpan? End,
    TimeSpan RaisedAt,
    DateTimeOffset StartClock,
    float Score,
    IReadOnlyList<int> TrackIds,
    Box Box,
    string Detail)
{
    /// <summary>The clock time of a moment of the event given in stream time (its alert, its end).</summary>
    public DateTimeOffset ClockAt(TimeSpan time) => StartClock + (time - Start);
}

/// <summary>A rule's output: an event opening (an alert to show now) or closing (final, to store).</summary>
public sealed record EventChange(SceneEvent Event, bool Closed);

/// <summary>One use case on one camera. Keeps per-track state and drops it when tracks end.</summary>
public interface IEventRule
{
    /// <summary>The use case this rule raises (one of <see cref="EventKinds"/>), to name it in errors.</summary>
    string UseCase { get; }

    /// <summary>Whether <see cref="SceneState.Motion"/> must be computed for this rule.</summary>
    bool NeedsMotionField => false;

    /// <summary>
    /// Whether people must be counted beyond this frame's detections: <see cref="SceneState.CrowdMap"/> when a
    /// crowd-counting model is configured, else <see cref="SceneState.CountedPeople"/> (detector.count_tiles).
    /// </summary>
    bool NeedsCrowdCount => false;

    /// <summary>Whether <see cref="SceneState.Fire"/> must be computed for this rule.</summary>
    bool NeedsFireCues => false;

    /// <summary>Whether <see cref="SceneState.Fire"/> must include its smoke cells (which learn a background of their own).</summary>
    bool NeedsSmokeCues => false;

    /// <summary>Whether <see cref="SceneState.StaticRegions"/> must be computed for this rule.</summary>
    bool NeedsStaticRegions => false;

    /// <summary>Whether <see cref="SceneState.LookAt"/> must be offered to this rule.</summary>
    bool NeedsObjectLooks => false;

    /// <summary>Whether <see cref="LyingSpots"/> must be looked at again on each frame (a second instance of the detector is loaded).</summary>
    bool NeedsLyingLooks => false;

    /// <summary>
    /// Where, after the last frame, someone fell or is going down: the next frame's detector looks there again for a
    /// person lying (<see cref="LyingLook"/>), whom it often misses at the first look.
    /// </summary>
    IReadOnlyList<LyingSpot> LyingSpots => [];

    /// <summary>Values measured on the last frame (people counts, densities…), exposed as time series.</summary>
    IReadOnlyList<Measurement> Measurements => [];

    IReadOnlyList<EventChange> Update(SceneState state);

    /// <summary>The source ended: close whatever is still open.</summary>
    IReadOnlyList<EventChange> Flush(TimeSpan end);
}

/// <summary>A value a rule measured on one frame, e.g. the people count of a zone.</summary>
public sealed record Measurement(string Camera, string Where, string Name, double Value, string Unit);
