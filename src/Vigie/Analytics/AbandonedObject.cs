using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Analytics;

public sealed record AbandonedObjectZone(WatchedZone Zone, TimeSpan Dwell, TimeSpan MinStill, double OwnerRadius, TimeSpan Warmup)
{
    /// <summary>Also watch new still things of no detector class (dual background model); null = bags only.</summary>
    public StaticObjectSize? StaticObjects { get; init; }
}

/// <summary>Sizes of the still things that count as objects, as shares of the image area.</summary>
public sealed record StaticObjectSize(double MinArea, double MaxArea)
{
    public bool Admits(Box normalised) => normalised.Area >= MinArea && normalised.Area <= MaxArea;
}

/// <summary>
/// Abandoned object: a bag, suitcase or backpack (detector classes in the bag category) or, when the
/// zone asks for it, any new thing that stopped moving (a static region of the dual background model)
/// that no person's or vehicle's box explains and that someone was beside when it came to rest, that
/// stays in one place with nobody staying near it for the dwell time — the owner has left. People walking past
/// (near it for a moment, as in a station's crowd) do not make it attended: a tracked person attends it
/// only once near it for a few seconds in all; someone the tracker does not follow (yet) attends it at
/// once. Objects are followed by place, not by track id, so people walking
/// in front of the bag (occlusions, missed detections) do not reset it. When the detector stops seeing
/// a bag it had seen many times, the bag still counts as there while its place looks as it did at the
/// last detection and nobody stands in front of it (detectors often lose still objects; a bag taken away
/// changes the look of its place). Never fires for a bag being carried (it does not stay in place), for
/// anything already there when the analysis started (part of the scene: seen during the warm-up, or
/// first called a bag later but looking as its place did in the first frame — a bench the detector
/// only sometimes takes for a suitcase), and stops cleanly when the object is taken.
/// </summary>
public sealed class AbandonedObject(IEnumerable<AbandonedObjectZone> zones) : IEventRule
{
    public string UseCase => EventKinds.AbandonedObject;

    // Same place: the object's box overlaps its first box this much and its centre stays this close
    // (in object sizes): a bag carried by someone walking slowly drifts out of it, while a camera on a mast
    // swaying in the wind moves a small bag by up to half its width and back.
    private const double SamePlaceIou = 0.3;
    private const double MaxDrift = 0.5;
    // Seen in at least this share of the analysed frames since it appeared: a real object, not a flicker.
    private const double MinSeenShare = 0.5;
    // Not seen for this long: the object was taken away.
    private static readonly TimeSpan Gone = TimeSpan.FromSeconds(10);
    // A still region this much covered by a person or vehicle box is that person standing or vehicle parked.
    private const double ExplainedShare = 0.3;
    // A still region has no detector confidence: a middling score, below any confident detection.
    private const float StaticRegionScore = 0.5f;
    // A still region counts only where someone was beside it (within this many object sizes) from a
    // little before it came to rest until just after: it was brought and put down. A shadow, a patch of
    // light, a person sitting still whom the detector misses or a flaw of the learned scene came with nobody.
    private const double BroughtRadius = 1.0;
    private static readonly TimeSpan BroughtBefore = TimeSpan.FromSeconds(3), BroughtAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CarrierMemory = TimeSpan.FromSeconds(10);
    // Detector sightings, over this long at least, before the look of its place may stand in for the detector:
    // one stray detection must not make a piece of floor an object for ever, nor a stray lasting a few frames
    // at a high frame rate.
    private const int SightingsBeforeLooks = 5;
    private static readonly TimeSpan DetectedOverBeforeLooks = TimeSpan.FromSeconds(0.6);
    // Correlation of the place's look with the last detection's at which the object is still there.
    private const double SameLook = 0.8;
    // A person or vehicle covering this share of the object hides it: its look says nothing.
    private const double HiddenShare = 0.1;
    // A tracked person attends an object once near it this long in all: walking past a bag, even slowly,
    // keeps someone near it for a second or two.
    private static readonly TimeSpan StaysFor = TimeSpan.FromSeconds(3);

    private sealed class Candidate(Box box, TimeSpan firstSeen, TimeSpan seen, bool sceneFurniture)
    {
        public Box Box { get; set; } = box;
        public Box FirstBox { get; } = box;
        public TimeSpan FirstSeen { get; } = firstSeen;
        public TimeSpan LastSeen { get; set; } = seen;
        public int Sightings { get; set; } = 1;
        public int DetectorSightings { get; set; }
        public TimeSpan FirstDetected { get; set; }
        public TimeSpan LastDetected { get; set; }
        /// <summary>The look of its place at the last detector sighting.</summary>
        public ObjectLook? Look { get; set; }
        public TimeSpan? UnattendedSince { get; set; }
        public bool SceneFurniture { get; } = sceneFurniture;
        public string Label { get; set; } = "";
        public float Score { get; set; }
        public SceneEvent? Event { get; set; }
    }

    private readonly List<(AbandonedObjectZone Settings, List<Candidate> Objects)> _zones = zones.Select(z => (z, new List<Candidate>())).ToList();
    private TimeSpan? _started;
    private int _frames;
    private readonly Dictionary<Candidate, int> _framesAtFirstSight = [];
    // People (and, with the motion detector, moving things) seen over the last seconds: who might have brought a still thing.
    private readonly Queue<(TimeSpan Time, List<Box> Boxes)> _carriers = new();

    public IReadOnlyList<EventChange> Update(SceneState state)
    {
        _started ??= state.Time;
        _frames++;
        var changes = new List<EventChange>();
        // A visible track's box is its detection's: the detections left are people not (yet) tracked.
        var tracked = state.Tracks.Where(t => t.Category == Category.Person).ToList();
        var untracked = state.Detections.Where(d => d.Category == Category.Person && !tracked.Any(t => t.Box == d.Box)).Select(d => d.Box).ToList();
        var people = untracked.Concat(tracked.Select(t => t.Box)).ToList();
        var occupants = people.Concat(Boxes(state, Category.Vehicle)).ToList();
        _carriers.Enqueue((state.Time, people.Concat(Boxes(state, Category.Moving)).ToList()));
        while (state.Time - _carriers.Peek().Time > CarrierMemory) _carriers.Dequeue();
        foreach (var (settings, objects) in _zones)
        {
            var active = settings.Zone.Schedule.IsActive(state.Clock);
            foreach (var bag in state.Detections.Where(d => d.Category == Category.Bag && settings.Zone.Contains(state.Normalise(d.Box.Center))))
            {
                var seen = Sight(objects, bag.Box, bag.Label, bag.Score, state, state.Time, settings.Warmup, detected: true);
                if (seen.DetectorSightings++ == 0) seen.FirstDetected = state.Time;
                seen.LastDetected = state.Time;
                seen.Look = state.LookAt?.Invoke(bag.Box) ?? seen.Look;
            }
            if (settings.StaticObjects is { } size && state.StaticRegions is { } regions)
                foreach (var region in regions.Where(r => settings.Zone.Contains(state.Normalise(r.Box.Center))
                             && size.Admits(state.Normalise(r.Box)) && !occupants.Any(b => Explains(b, r.Box))
                             && (objects.Any(o => SamePlace(o.FirstBox, r.Box)) || Brought(r))))
                    Sight(objects, region.Box, "", StaticRegionScore, state, region.Since, settings.Warmup, detected: false);
            foreach (var o in objects.ToList())
            {
                if (o.LastSeen != state.Time && StillLooksThere(o, state, occupants))
                {
                    o.LastSeen = state.Time;
                    o.Sightings++;
                }
                if (state.Time - o.LastSeen > Gone)
                {
                    // Taken away (or never really there): close what was open and forget it.
                    if (o.Event is { } open) changes.Add(new EventChange(open with { End = o.LastSeen }, Closed: true));
                    objects.Remove(o);
                    _framesAtFirstSight.Remove(o);
                    continue;
                }
                if (o.SceneFurniture || !active) continue;
                var attended = untracked.Any(p => Attended(o.Box, p, settings.OwnerRadius))
                    || tracked.Any(t => Stays(o.Box, t, settings.OwnerRadius));
                o.UnattendedSince = attended ? null : o.UnattendedSince ?? state.Time;
                var seenShare = o.Sightings / (double)(_frames - _framesAtFirstSight[o] + 1);
                // Raised on a frame it is seen on (a place a carried bag passed through keeps its sightings a
                // while, but is not seen again), and once per object: a place overlapping one already
                // alerted is that object seen from a slightly different box (its owner beside it, the camera swaying).
                if (o.Event is null && o.LastSeen == state.Time && o.UnattendedSince is { } alone && state.Time - o.FirstSeen >= settings.MinStill
                    && state.Time - alone >= settings.Dwell && seenShare >= MinSeenShare
                    && !objects.Any(other => other.Event is not null && (SamePlace(other.FirstBox, o.Box) || SamePlace(o.FirstBox, other.Box))))
                {
                    o.Event = new SceneEvent(state.Camera, EventKinds.AbandonedObject, settings.Zone.Name, alone, null, state.Time,
                        state.ClockAt(alone), o.Score, [], state.Normalise(o.Box),
                        $"{o.Label} left unattended in {settings.Zone.Name}: placed at {o.FirstSeen.TotalSeconds:0.0} s, alone since {alone.TotalSeconds:0.0} s");
                    changes.Add(new EventChange(o.Event, Closed: false));
                }
            }
        }
        return changes;
    }

    public bool NeedsStaticRegions => _zones.Any(z => z.Settings.StaticObjects is not null);

    // The still-object background is only valid while the camera holds its view.
    public bool NeedsMotionField => NeedsStaticRegions;

    public bool NeedsObjectLooks => true;

    /// <summary>The place looks as it did in the first frame analysed: whatever is there was there already.</summary>
    private static bool LooksAsAtOpening(Box box, SceneState state) =>
        state.LookAtOpening?.Invoke(box) is { } then && state.LookAt?.Invoke(box) is { } now && then.Similarity(now) >= SameLook;

    /// <summary>Missed by the detector, but its place, in plain view, looks as it did at its last detection.</summary>
    private static bool StillLooksThere(Candidate o, SceneState state, IReadOnlyList<Box> occupants) =>
        o.DetectorSightings >= SightingsBeforeLooks && o.LastDetected - o.FirstDetected >= DetectedOverBeforeLooks && o.Look is { } look && state.LookAt is { } lookAt
        && !occupants.Any(b => b.IntersectionArea(o.Box) > HiddenShare * o.Box.Area)
        && lookAt(o.Box) is { } now && look.Similarity(now) >= SameLook;

    private static List<Box> Boxes(SceneState state, Category category) =>
        state.Detections.Where(d => d.Category == category).Select(d => d.Box)
            .Concat(state.Tracks.Where(t => t.Category == category).Select(t => t.Box)).ToList();

    /// <summary>
    /// Someone was beside the still thing when it came to rest (not the thing itself: the motion detector
    /// sees anything that appears as moving for a moment).
    /// </summary>
    private bool Brought(StaticRegion region) =>
        _carriers.Any(c => c.Time >= region.Since - BroughtBefore && c.Time <= region.Since + BroughtAfter
            && c.Boxes.Any(b => Attended(region.Box, b, BroughtRadius) && b.Area > region.Box.Area && b.IoU(region.Box) < 0.5));

    /// <summary>Follows an object by place: the same place as a known one, or a new candidate.</summary>
    /// <param name="detected">Seen by the detector, not as a still region.</param>
    private Candidate Sight(List<Candidate> objects, Box box, string label, float score, SceneState state, TimeSpan since, TimeSpan warmup,
        bool detected)
    {
        var now = state.Time;
        var known = objects.Where(o => SamePlace(o.FirstBox, box)).MaxBy(o => o.FirstBox.IoU(box));
        if (known is null)
        {
            known = new Candidate(box, since, now, sceneFurniture: since - _started!.Value < warmup || LooksAsAtOpening(box, state));
            objects.Add(known);
            _framesAtFirstSight[known] = _frames;
        }
        // A still region where the detector has boxed the object says it is still there, but its box (the object
        // with its shadow, or with where its owner stood) does not replace the detector's: the object's look was
        // taken on that one, and a place measured on another box no longer looks the same once the detector misses it.
        if (detected || known.DetectorSightings == 0) known.Box = box;
        if (known.LastSeen != now) known.Sightings++;
        known.LastSeen = now;
        // A detector's class name says more than "object": keep it once known.
        if (label.Length > 0 || known.Label.Length == 0) known.Label = label.Length > 0 ? label : "object";
        known.Score = Math.Max(known.Score, score);
        return known;
    }

    public IReadOnlyList<EventChange> Flush(TimeSpan end)
    {
        var changes = _zones.SelectMany(z => z.Objects).Where(o => o.Event is not null)
            .Select(o => new EventChange(o.Event! with { End = o.LastSeen }, Closed: true)).ToList();
        foreach (var z in _zones) z.Objects.Clear();
        _framesAtFirstSight.Clear();
        _carriers.Clear();
        return changes;
    }

    /// <summary>The same object in the same place: overlapping its first box, its centre hardly moved. Pure.</summary>
    public static bool SamePlace(Box first, Box now) =>
        first.IoU(now) >= SamePlaceIou && (now.Center - first.Center).Length <= MaxDrift * Math.Max(first.Width, first.Height);

    /// <summary>
    /// A tracked person staying near the object: near it now (see <see cref="Attended"/>) and near it for
    /// <see cref="StaysFor"/> in all over the past the tracker keeps (each sighting near it counts the time
    /// since the one before). In all, not without a break: an owner standing at the edge of the near area
    /// steps in and out of it; someone walking past twice is near it for a second or two each time. Pure.
    /// </summary>
    public static bool Stays(Box obj, Track person, double radius)
    {
        if (!Attended(obj, person.Box, radius)) return false;
        var near = TimeSpan.Zero;
        for (int i = 1; i < person.History.Count; i++)
            if (Attended(obj, person.History[i].Box, radius)) near += person.History[i].Time - person.History[i - 1].Time;
        return near >= StaysFor;
    }

    /// <summary>A still region mostly covered by a person's or vehicle's box is that person or vehicle. Pure.</summary>
    public static bool Explains(Box occupant, Box region) => occupant.IntersectionArea(region) >= ExplainedShare * region.Area;

    /// <summary>
    /// Someone is near the object: a person box within <paramref name="radius"/> object-heights of it.
    /// Pure geometry on boxes.
    /// </summary>
    public static bool Attended(Box obj, Box person, double radius)
    {
        var margin = (float)(radius * Math.Max(obj.Width, obj.Height));
        var around = new Box(obj.X - margin, obj.Y - margin, obj.Width + 2 * margin, obj.Height + 2 * margin);
        return around.IntersectionArea(person) > 0;
    }
}
