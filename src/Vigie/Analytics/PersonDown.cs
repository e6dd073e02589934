using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Analytics;

public sealed record PersonDownZone(WatchedZone Zone, bool Exclude, TimeSpan DownFor, TimeSpan MaxFallDuration);

/// <summary>
/// Person on the ground: a tracked person who was upright, then within <c>MaxFallDuration</c> became a
/// lying box (about as wide as tall or wider, its top dropped by a good part of the standing height)
/// and stays so, on the spot (each lying box on the last), for <c>DownFor</c>. The standing posture is
/// the highest upright box of that window, not the last one: the last box still tall enough to count as
/// upright is often already falling.
/// The fall happens when the top of the box passes the drop threshold. Sitting or lying down slowly
/// takes longer than a fall and is not one. Zones marked <c>Exclude</c> (benches, beds) never report.
/// A fall often breaks the track (the box changes shape at once): a lying person appearing where a
/// person just vanished inherits that person's past; one appearing around what is left of a tracked
/// person (the old track holding on to a piece of them) shares it. A person who fell and is then lost
/// from view while lying (people who came to help stand in front, or the detector stops seeing someone
/// lying, as COCO models often do) counts as still down for as long as the tracker remembers them,
/// unless a newly seen person stands up where they lay. Box geometry only: no pose, no face.
/// </summary>
public sealed class PersonDown(IEnumerable<PersonDownZone> zones) : IEventRule
{
    public string UseCase => EventKinds.PersonDown;

    // Upright: taller than wide by this factor; lying: at most this tall for its width.
    private const double UprightAspect = 1.3;
    private const double LyingAspect = 1.1;
    // The top of the box must drop by this share of the standing height.
    private const double TopDrop = 0.3;
    // A box whose top has dropped by this share of the standing height shows a fall under way; unseen
    // this long after it, the person was lost by the detector, not merely missed on a frame.
    private const double FallingDrop = 0.15;
    private static readonly TimeSpan LostFor = TimeSpan.FromSeconds(0.5);
    // A lying box cut by the bottom of the picture must start at most this share of the standing height above
    // the standing feet, and be this many times as wide as the standing box.
    private const double InFrontMargin = 0.25, ClippedWidening = 1.5;
    // How long a vanished person can hand their past over to a new track (see Inherit).
    private static readonly TimeSpan Handover = TimeSpan.FromSeconds(2);
    // Sightings lying after the fall, over this long at least, before someone lost from view is taken as still
    // down: at a high frame rate three sightings are a glimpse.
    private const int LyingSightingsBeforeHidden = 3;
    private static readonly TimeSpan LyingOverBeforeHidden = TimeSpan.FromSeconds(0.3);

    private sealed class Memo
    {
        public Box LastBox;
        public TimeSpan LastSeen;
        /// <summary>Whether the last box, when seen, was at the side of the picture, which someone walking out of it crosses.</summary>
        public bool LastSeenAtEdge;
        /// <summary>Sightings over the longest fall duration of the zones.</summary>
        public readonly List<Sighting> Recent = [];
        public TimeSpan? FellAt;
        /// <summary>The posture the person fell from: getting up means being about that tall again, or that high.</summary>
        public Box Stood;
        public SceneEvent? Event;
        public TimeSpan LastDown;
        /// <summary>Where the fall was seen, and on how many frames the person was seen lying since.</summary>
        public PersonDownZone? Area;
        public int LyingSightings;
        public TimeSpan LyingSince;
        /// <summary>The last lying box after the fall, where they lie, when, and the track it was seen on.</summary>
        public Box LaidAt;
        public TimeSpan LaidWhen;
        public int LaidBy;
        public float Score;

        /// <summary>Moves every box kept with the camera's view, as the tracker moved the tracks.</summary>
        public void Follow(ViewShift view)
        {
            LastBox = view.Apply(LastBox);
            Stood = view.Apply(Stood);
            LaidAt = view.Apply(LaidAt);
            for (var i = 0; i < Recent.Count; i++) Recent[i] = Recent[i] with { Box = view.Apply(Recent[i].Box) };
        }
    }

    private readonly List<PersonDownZone> _areas = zones.ToList();
    private readonly Dictionary<int, Memo> _people = [];
    private TimeSpan LongestFall => _areas.Count == 0 ? TimeSpan.Zero : _areas.Max(a => a.MaxFallDuration);

    public IReadOnlyList<EventChange> Update(SceneState state)
    {
        var changes = new List<EventChange>();
        if (state.View is { } view)
            foreach (var memo in _people.Values) memo.Follow(view);
        var visible = state.Tracks.Where(t => t.Category == Category.Person).ToList();
        var visibleIds = visible.Select(t => t.Id).ToHashSet();
        foreach (var t in visible)
        {
            var area = WatchingAt(state, t.Box);
            if (!_people.TryGetValue(t.Id, out var memo))
            {
                memo = IsLying(t.Box)
                    ? Inherit(t.Box, state.Time, visibleIds, fallenOnly: false) ?? Share(t.Box, visibleIds) ?? new Memo()
                    : Inherit(t.Box, state.Time, visibleIds, fallenOnly: true) ?? new Memo();
                _people[t.Id] = memo;
            }
            // The past is kept over the longest fall before the previous sighting, not before now: someone
            // lost from view as they fell and found lying later keeps the posture they fell from.
            var previous = memo.Recent.Count > 0 ? memo.Recent[^1].Time : state.Time;
            memo.LastBox = t.Box;
            memo.LastSeen = state.Time;
            memo.LastSeenAtEdge = AtImageEdge(t.Box, state.FrameWidth, state.FrameHeight);
            memo.Recent.Add(Sighting.Of(state.Time, t.Box, state.FrameHeight));
            memo.Recent.RemoveAll(r => previous - r.Time > LongestFall);
            if (area is null) continue;
            var others = visible.Where(o => o.Id != t.Id).ToList();

            if (IsUpright(t.Box))
            {
                if (memo.FellAt is null) continue;
                if (GotUp(memo.Stood, t.Box))
                {
                    Close(memo, changes);
                    continue;
                }
                // Upright but short and low where they fell: sitting up, kneeling, or the track moved to someone
                // crouching beside them. Still on the ground.
            }
            // A wide box half hidden behind other people (one, or several side by side) is a partly seen person in
            // a crowd, not someone lying.
            else if (!IsLying(t.Box) || t.Box.CoveredArea(others.Select(o => o.Box)) > 0.5 * t.Box.Area) continue;
            if (memo.FellAt is null && FallMoment(memo.Recent, t.Box, state.Time, area.MaxFallDuration, state.FrameHeight,
                    since => OthersDrop(others, since)) is { } fall)
                (memo.FellAt, memo.Stood) = (fall.At, fall.Standing);
            if (memo.FellAt is null) continue;
            if (IsLying(t.Box))
            {
                if (memo.LyingSightings > 0 && memo.LaidBy == t.Id && !StillWhereLaid(memo.LaidAt, t.Box, state.Time - memo.LaidWhen))
                {
                    // Someone on the ground stays where they lie, settling slowly at most: a track whose lying box
                    // jumps off the last one has moved on to other people (in a crowd, heads and shoulders of people
                    // half hidden look like lying boxes), so neither the fall nor the past it was read from are
                    // theirs. (A short upright box beside them is someone crouching to help, or themselves sitting up:
                    // see above. A new track that took the fallen person's past was judged the same person by
                    // Inherit, whole where a piece of them was tracked: its box is no jump.)
                    Close(memo, changes);
                    memo.Recent.RemoveAll(r => r.Time < state.Time);
                    continue;
                }
                (memo.LaidAt, memo.LaidWhen, memo.LaidBy) = (t.Box, state.Time, t.Id);
            }
            memo.LastDown = state.Time;
            memo.Area = area;
            if (memo.LyingSightings++ == 0) memo.LyingSince = state.Time;
            memo.Score = t.Score;
            RaiseWhenDownLongEnough(t.Id, memo, state, changes, "");
        }
        foreach (var (id, memo) in _people)
        {
            // Last seen lying after a fall (LastDown is then at or after LastSeen), and gone from view since;
            // not last seen at the side of the picture, which someone walking out of it crosses with a shrinking box
            // (the camera's view moving their spot out of the picture since does not get them up).
            if (visibleIds.Contains(id) || memo.FellAt is null || memo.LastDown < memo.LastSeen || memo.LastSeenAtEdge) continue;
            if (visible.Any(o => o.FirstSeen > memo.LastSeen && IsUpright(o.Box) && GotUp(memo.Stood, o.Box) && StoodUpFrom(memo.LastBox, o.Box)))
                Close(memo, changes); // a person standing where they lay, seen only now: they got up
            // LastSeen, before LastDown, was a sighting on the ground.
            else if (memo.LyingSightings >= LyingSightingsBeforeHidden && memo.LastSeen - memo.LyingSince >= LyingOverBeforeHidden)
            {
                memo.LastDown = state.Time;
                RaiseWhenDownLongEnough(id, memo, state, changes, $", hidden from view for {(state.Time - memo.LastSeen).TotalSeconds:0.0} s");
            }
        }
        foreach (var ended in state.EndedTracks)
            if (_people.Remove(ended.Id, out var gone)) Close(gone, changes);
        (_spotsOf, _lyingSpots) = (state, null);
        return changes;
    }

    // Where someone lies or is going down, the detector looks again with the picture turned: a square this many standing
    // heights wide (a body lies about its height from where its feet were, either way), at most this many spots a frame
    // (each costs two model runs), those fallen first.
    private const float SpotSide = 2.2f;
    private const int MostSpots = 3;
    // Someone lost from view while going down is looked for this long after they were last seen; found lying, they are
    // looked at for as long as they are down. Not found, they went out of sight standing or were never going down.
    private static readonly TimeSpan LookForGoingDown = TimeSpan.FromSeconds(0.5);
    // Worked out when asked (only a loaded turned look asks), from the frame the rule last saw.
    private SceneState? _spotsOf;
    private List<LyingSpot>? _lyingSpots;

    public bool NeedsLyingLooks => true;

    public IReadOnlyList<LyingSpot> LyingSpots => _lyingSpots ??= _spotsOf is { } state ? Spots(state) : [];

    /// <summary>
    /// The spots to look at again for someone lying: around each person seen fallen and not up again, and each whose
    /// last sighting, in a watched zone, shows the top dropping and the box shrinking from how they stood (if lost from
    /// view since, not growing), their feet where they were or lower (going down), until half a second after they were
    /// last seen. Not someone walking towards the camera (the top drops but the box grows), walking out of the top or
    /// bottom of the picture (the picture cuts the box), or hidden from the feet up behind someone nearer (the bottom
    /// rises): on a busy plaza those were most of the spots, each two model runs.
    /// </summary>
    private List<LyingSpot> Spots(SceneState state) => _people.Values
        .Select(m => (Memo: m, Stood: m.FellAt is not null ? m.Stood : GoingDown(m, state)))
        .Where(p => p.Stood.Height > 0)
        .OrderByDescending(p => p.Memo.FellAt is not null).ThenByDescending(p => p.Memo.LastSeen)
        .Take(MostSpots)
        .Select(p => Spot(p.Stood, p.Memo.LastBox))
        .ToList();

    private Box GoingDown(Memo memo, SceneState state)
    {
        if (memo.Recent.Count == 0 || state.Time - memo.LastSeen > LookForGoingDown || WatchingAt(state, memo.LastBox) is null) return default;
        var last = memo.Recent[^1];
        // Lost from view, the box need only not have grown: detectors lose people most often as they go down.
        var shrunkTo = memo.LastSeen < state.Time ? 1 : 1 - FallingDrop;
        return !last.CutInHeight && Standing(memo.Recent, last.Time, LongestFall) is { } standing
            && last.Box.Y >= standing.Box.Y + FallingDrop * standing.Box.Height
            && last.Box.Height <= shrunkTo * standing.Box.Height
            && last.Box.Bottom >= standing.Box.Bottom - FallingDrop * standing.Box.Height
            ? standing.Box
            : default;
    }

    /// <summary>A square around where someone stood and was last seen: between their feet and the last box's centre.</summary>
    private static LyingSpot Spot(Box stood, Box last)
    {
        var centre = (stood.BottomCenter + last.Center) * 0.5f;
        var side = Math.Max(SpotSide * stood.Height, 1.2f * Math.Max(last.Width, last.Height));
        return new LyingSpot(new Box(centre.X - side / 2, centre.Y - side / 2, side, side), last, stood.Height);
    }

    /// <summary>The zone watching someone with this box (their feet in it, now), unless their feet are in an excluded one.</summary>
    private PersonDownZone? WatchingAt(SceneState state, Box box)
    {
        var feet = state.Normalise(box.BottomCenter);
        return _areas.Any(a => a.Exclude && a.Zone.Contains(feet))
            ? null
            : _areas.FirstOrDefault(a => !a.Exclude && a.Zone.Contains(feet) && a.Zone.Schedule.IsActive(state.Clock));
    }

    private static void RaiseWhenDownLongEnough(int id, Memo memo, SceneState state, List<EventChange> changes, string hidden)
    {
        if (memo.Event is not null || memo.FellAt is not { } fell || memo.Area is not { } area || state.Time - fell < area.DownFor) return;
        memo.Event = new SceneEvent(state.Camera, EventKinds.PersonDown, area.Zone.Name, fell, null, state.Time,
            state.ClockAt(fell), memo.Score, [id], state.Normalise(memo.LastBox),
            $"person on the ground in {area.Zone.Name} for {(state.Time - fell).TotalSeconds:0.0} s{hidden}");
        changes.Add(new EventChange(memo.Event, Closed: false));
    }

    private static bool AtImageEdge(Box b, int frameWidth, int frameHeight) =>
        ClippedInHeight(b, frameHeight) || b.X <= 0.01f * frameWidth || b.Right >= 0.99f * frameWidth;

    /// <summary>An upright person whose feet are where someone lay: under the lying box, near its bottom.</summary>
    private static bool StoodUpFrom(Box lying, Box upright)
    {
        var feet = upright.BottomCenter;
        return feet.X >= lying.X && feet.X <= lying.Right && Math.Abs(feet.Y - lying.Bottom) <= 0.5 * Math.Max(lying.Height, 0.25 * upright.Height);
    }

    /// <summary>
    /// Standing again after a fall: the top back above the fall's drop mark, or nearly as tall as before the
    /// fall (someone who got up and walked towards a high camera is lower in the picture, and taller).
    /// </summary>
    public static bool GotUp(Box stood, Box upright) =>
        upright.Y < stood.Y + TopDrop * stood.Height || upright.Height >= (1 - TopDrop) * stood.Height;

    public IReadOnlyList<EventChange> Flush(TimeSpan end)
    {
        var changes = new List<EventChange>();
        foreach (var memo in _people.Values) Close(memo, changes);
        _people.Clear();
        return changes;
    }

    public static bool IsLying(Box b) => b.Height <= LyingAspect * b.Width;

    public static bool IsUpright(Box b) => b.Height >= UprightAspect * b.Width;

    /// <summary>
    /// A box reaching the top or bottom few percent of the image: the person's height may not all be there
    /// (box edges wander by a percent or two, so touching is not needed).
    /// </summary>
    public static bool ClippedInHeight(Box b, int frameHeight)
    {
        var margin = 0.03f * frameHeight;
        return b.Y <= margin || b.Bottom >= frameHeight - margin;
    }

    /// <summary>
    /// A person's box as the rule remembers it (moved with the camera's view since), and whether the top or bottom of
    /// the picture cut it when it was seen: moved past the edge by the view, it was still seen whole.
    /// </summary>
    public readonly record struct Sighting(TimeSpan Time, Box Box, bool CutInHeight)
    {
        public static Sighting Of(TimeSpan time, Box box, int frameHeight) => new(time, box, ClippedInHeight(box, frameHeight));

        /// <summary>An upright box not cut by the top or bottom of the picture: it gives a standing height.</summary>
        public bool StandingWhole => IsUpright(Box) && !CutInHeight;
    }

    /// <summary>When someone fell, and the upright posture they fell from.</summary>
    public readonly record struct Fall(TimeSpan At, Box Standing);

    /// <summary>
    /// When this lying box is a fall: the highest upright box of the last <paramref name="maxFallDuration"/>
    /// seen whole in height (one cut by the top or bottom of the image gives no standing height; cut at
    /// the side, it still does) is the standing posture, the top must have dropped by <see cref="TopDrop"/>
    /// of its height beyond the other people's drop since then (<paramref name="othersDropSince"/>), and the
    /// fall is the last moment the top passed that mark (interpolated between sightings; the detector often
    /// loses people mid-fall), returned with the standing box. Null when it is not a fall. Pure.
    /// </summary>
    public static Fall? FallMoment(IReadOnlyList<Sighting> recent, Box lying, TimeSpan now, TimeSpan maxFallDuration, int frameHeight,
        Func<TimeSpan, float>? othersDropSince = null)
    {
        var upright = Standing(recent, now, maxFallDuration);
        var previous = recent.Where(r => r.Time < now).Cast<Sighting?>().LastOrDefault();
        // The detector often loses people as they go down and finds them lying only later: when the last
        // sighting before that gap already shows the top dropping, the fall began within the longest fall
        // of that sighting, however long they then lay unseen.
        if (previous is { } last
            && now - last.Time > LostFor
            && Standing(recent, last.Time, maxFallDuration) is { } uprightBefore
            && last.Box.Y >= uprightBefore.Box.Y + FallingDrop * uprightBefore.Box.Height
            && (upright is null || uprightBefore.Box.Y < upright.Value.Box.Y))
            upright = uprightBefore;
        if (upright is not { } standing) return null;
        var mark = standing.Box.Y + TopDrop * standing.Box.Height;
        // Everyone's top going down alike is the view moving (a camera zooming out or tilting up), not this person
        // falling: their drop counts beyond the other people's. Others going up make no one's fall easier to see.
        if (lying.Y - Math.Max(0, othersDropSince?.Invoke(standing.Time) ?? 0) < mark) return null;
        // A box cut by the bottom of the picture may be short only because the picture cuts it: it is someone
        // lying only if it lies in front of where they stood (fallen towards the camera), not across that spot,
        // where it is the upper body of someone standing nearer the camera; and only if it is much wider than
        // they stood, since its height says nothing: someone walking down the picture of a high camera and out
        // of its bottom also ends in front of where they were, in a squat cut box as wide as they walked. With so
        // little said by the box, a standing posture seen once is not enough: in a crowd at the picture's corner the
        // track moved for one frame to someone half out of the picture, then to someone nearer the camera.
        if ((ClippedInHeight(lying, frameHeight) || CutJustBefore(previous, lying))
            && (lying.Y < standing.Box.Bottom - InFrontMargin * standing.Box.Height || lying.Width < ClippedWidening * standing.Box.Width
                || recent.Count(r => r.StandingWhole) < 2))
            return null;
        // The last time the top went below the mark: a person whose top came back above it (stood up,
        // straightened after bending) had not fallen yet.
        var after = recent.Where(r => r.Time > standing.Time).Append(Sighting.Of(now, lying, frameHeight)).ToList();
        var lastAbove = after.FindLastIndex(r => r.Box.Y < mark);
        var before = lastAbove < 0 ? standing : after[lastAbove];
        var below = after[lastAbove + 1];
        return new Fall(before.Time + (below.Time - before.Time) * ((mark - before.Box.Y) / Math.Max(1e-3, below.Box.Y - before.Box.Y)), standing.Box);
    }

    // A lying box overlapping the previous sighting's this much is the same box seen again.
    private const double SameLyingBox = 0.5;

    /// <summary>
    /// The previous sighting was a lying box cut by the top or bottom of the picture, and this one is the same box
    /// seen again: it is cut too, though its edge now stops short of the picture's (box edges wander more than the
    /// margin on dim, grainy pictures: the head and shoulders of someone walking out of the bottom of a crowded
    /// street, cut on three frames, came a few pixels clear of the edge on the fourth).
    /// </summary>
    private static bool CutJustBefore(Sighting? previous, Box lying) =>
        previous is { } last && IsLying(last.Box) && last.CutInHeight && last.Box.IoU(lying) >= SameLyingBox;

    // Other people whose tops moved alike tell the view moved; fewer could be someone crouching or sitting down.
    private const int OthersForDrop = 3;
    private static readonly TimeSpan SameMoment = TimeSpan.FromSeconds(0.25);

    /// <summary>
    /// How far the other people's tops went down since a moment (the median, in pixels; up is negative), from those
    /// seen then and now; 0 when fewer than <see cref="OthersForDrop"/> were. Pure.
    /// </summary>
    public static float OthersDrop(IEnumerable<Track> others, TimeSpan since)
    {
        var drops = others
            .Select(o => o.History.Where(h => (h.Time - since).Duration() <= SameMoment).Cast<TimedBox?>()
                .MinBy(h => (h!.Value.Time - since).Duration()) is { } then ? o.Box.Y - then.Box.Y : (float?)null)
            .OfType<float>().Order().ToList();
        return drops.Count < OthersForDrop ? 0 : drops[drops.Count / 2];
    }

    /// <summary>The highest upright box seen whole in height over the longest fall up to a moment.</summary>
    private static Sighting? Standing(IReadOnlyList<Sighting> recent, TimeSpan at, TimeSpan maxFallDuration) =>
        recent.Where(r => r.Time <= at && at - r.Time <= maxFallDuration && r.StandingWhole)
            .OrderBy(r => r.Box.Y).Cast<Sighting?>().FirstOrDefault();

    /// <summary>
    /// The past of a person who vanished just now where this box appears: a lying box takes it from anyone
    /// (the tracker lost them as they fell); any other box only from someone already seen fallen (the
    /// detector found them again while they still move on the ground, half sitting, curled up).
    /// </summary>
    private Memo? Inherit(Box box, TimeSpan now, IReadOnlySet<int> visible, bool fallenOnly)
    {
        var (id, memo) = _people
            .Where(kv => !visible.Contains(kv.Key) && now - kv.Value.LastSeen <= Handover && (!fallenOnly || kv.Value.FellAt is not null)
                && SamePerson(kv.Value.LastBox, box))
            .OrderByDescending(kv => kv.Value.LastSeen)
            .FirstOrDefault();
        if (memo is null) return null;
        _people.Remove(id);
        return memo;
    }

    /// <summary>
    /// The past of a tracked person whose box lies mostly inside this new lying box: the detector sees the
    /// falling person twice for a moment (a piece, still tracked, and the lying whole, a new track).
    /// The piece's track keeps its past too: if it is someone else after all, each goes on with theirs.
    /// </summary>
    private Memo? Share(Box lying, IReadOnlySet<int> visible)
    {
        var piece = _people
            .Where(kv => visible.Contains(kv.Key) && LyingLook.PieceOf(kv.Value.LastBox, lying))
            .Select(kv => kv.Value)
            .MaxBy(m => m.LastBox.IntersectionArea(lying));
        if (piece is null) return null;
        var shared = new Memo();
        shared.Recent.AddRange(piece.Recent);
        return shared;
    }

    /// <summary>
    /// The same person, seen again: largely the same place, or a lying box under where they stood
    /// (sharing at least half the narrower width, its top lower).
    /// </summary>
    private static bool SamePerson(Box before, Box lying)
    {
        if (before.OverlapOfSmaller(lying) > 0.3) return true;
        var shared = Math.Min(before.Right, lying.Right) - Math.Max(before.X, lying.X);
        return shared >= 0.5 * Math.Min(before.Width, lying.Width) && lying.Y >= before.Y && lying.Y <= before.Bottom;
    }

    // A lying box whose centre moved from the last one's by more than this share of that box's longer side has jumped
    // off it; or, seen lying again after longer, by this share per second since. Unless one of the two boxes lies this
    // much inside the other: the same person seen whole and in part (by the turned look and the first one).
    private const double OnTheSpot = 0.5, SettlingPerSecond = 1.0, WholeOrPart = 0.8;

    /// <summary>
    /// Still lying where they lay: the centre moved by at most half the last lying box's longer side (someone settling
    /// on the ground, stretching out, moves less between two frames; a track moving on to someone else's head and
    /// shoulders in a crowd jumps by about their width), or, when the last lying box is older (seen meanwhile half
    /// sitting, curled up, or not at all), by as many longer sides as seconds went by: someone collapsing slowly in
    /// view of a handheld camera, seen lying again 0.8 s later, had moved by 0.54 of that side, the view's pan taken out.
    /// One box mostly inside the other is no jump either: the person seen whole, then a piece of them, or the other way
    /// round (the turned look finds the whole where the first look found the legs). Pure.
    /// </summary>
    public static bool StillWhereLaid(Box laid, Box now, TimeSpan since) =>
        (now.Center - laid.Center).Length <= Math.Max(OnTheSpot, SettlingPerSecond * since.TotalSeconds) * Math.Max(laid.Width, laid.Height)
        || laid.OverlapOfSmaller(now) >= WholeOrPart;

    private static void Close(Memo memo, List<EventChange> changes)
    {
        if (memo.Event is { } open) changes.Add(new EventChange(open with { End = memo.LastDown }, Closed: true));
        memo.Event = null;
        memo.FellAt = null;
        memo.LyingSightings = 0;
    }
}
