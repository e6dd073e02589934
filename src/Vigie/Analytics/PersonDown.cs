using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Analytics;

public sealed record PersonDownZone(WatchedZone Zone, bool Exclude, TimeSpan DownFor, TimeSpan MaxFallDuration);

/// <summary>
/// Person on the ground: a tracked person who was upright, then within <c>MaxFallDuration</c> became a
/// lying box (about as wide as tall or wider, its top dropped by a good part of the standing height)
/// and stays so for <c>DownFor</c>. Sitting or lying down slowly takes longer than a fall and is not
/// one. Zones marked <c>Exclude</c> (benches, beds) never report. A fall often breaks the track (the
/// box changes shape at once): a lying person appearing where a person just vanished inherits that
/// person's past. Box geometry only: no pose, no face.
/// </summary>
public sealed class PersonDown(IEnumerable<PersonDownZone> zones) : IEventRule
{
    // Upright: taller than wide by this factor; lying: at most this tall for its width.
    private const double UprightAspect = 1.3;
    private const double LyingAspect = 1.1;
    // The top of the box must drop by this share of the standing height.
    private const double TopDrop = 0.3;
    // How long a vanished person can hand their past over to a new lying track.
    private static readonly TimeSpan Handover = TimeSpan.FromSeconds(2);

    private sealed class Memo
    {
        public Box LastBox;
        public TimeSpan LastSeen;
        public TimeSpan? LastUpright;
        public Box LastUprightBox;
        public TimeSpan? FellAt;
        public SceneEvent? Event;
        public TimeSpan LastDown;
    }

    private readonly List<PersonDownZone> _areas = zones.ToList();
    private readonly Dictionary<int, Memo> _people = [];

    public IReadOnlyList<EventChange> Update(SceneState state)
    {
        var changes = new List<EventChange>();
        var visible = state.Tracks.Where(t => t.Category == Category.Person).ToList();
        var visibleIds = visible.Select(t => t.Id).ToHashSet();
        foreach (var t in visible)
        {
            var feet = state.Normalise(t.Box.BottomCenter);
            var area = _areas.FirstOrDefault(a => !a.Exclude && a.Zone.Contains(feet) && a.Zone.Schedule.IsActive(state.Clock));
            var excluded = _areas.Any(a => a.Exclude && a.Zone.Contains(feet));
            if (!_people.TryGetValue(t.Id, out var memo))
            {
                memo = IsLying(t.Box) ? Inherit(t.Box, state.Time, visibleIds, state.FrameWidth, state.FrameHeight) ?? new Memo() : new Memo();
                _people[t.Id] = memo;
            }
            memo.LastBox = t.Box;
            memo.LastSeen = state.Time;
            if (area is null || excluded) continue;

            if (IsUpright(t.Box))
            {
                if (memo.FellAt is not null) Close(memo, changes); // got up
                // Only a whole person gives a standing height: someone cut by the image edge does not.
                if (!Clipped(t.Box, state.FrameWidth, state.FrameHeight))
                {
                    memo.LastUpright = state.Time;
                    memo.LastUprightBox = t.Box;
                }
                continue;
            }
            // A wide box half hidden behind other people is a partly seen person in a crowd, not someone lying.
            if (!IsLying(t.Box) || visible.Any(o => o.Id != t.Id && o.Box.IntersectionArea(t.Box) > 0.5 * t.Box.Area)) continue;
            if (memo.FellAt is null && memo.LastUpright is { } up && IsFall(memo.LastUprightBox, up, t.Box, state.Time, area.MaxFallDuration))
                memo.FellAt = up + (state.Time - up) / 2;
            if (memo.FellAt is not { } fell) continue;
            memo.LastDown = state.Time;
            if (memo.Event is null && state.Time - fell >= area.DownFor)
            {
                memo.Event = new SceneEvent(state.Camera, EventKinds.PersonDown, area.Zone.Name, fell, null, state.Time,
                    state.Clock - (state.Time - fell), t.Score, [t.Id], state.Normalise(t.Box),
                    $"person on the ground in {area.Zone.Name} for {(state.Time - fell).TotalSeconds:0.0} s");
                changes.Add(new EventChange(memo.Event, Closed: false));
            }
        }
        foreach (var ended in state.EndedTracks)
            if (_people.Remove(ended.Id, out var gone)) Close(gone, changes);
        return changes;
    }

    public IReadOnlyList<EventChange> Flush(TimeSpan end)
    {
        var changes = new List<EventChange>();
        foreach (var memo in _people.Values) Close(memo, changes);
        _people.Clear();
        return changes;
    }

    public static bool IsLying(Box b) => b.Height <= LyingAspect * b.Width;

    public static bool IsUpright(Box b) => b.Height >= UprightAspect * b.Width;

    /// <summary>A box touching the image border: part of the person may be outside the image.</summary>
    public static bool Clipped(Box b, int frameWidth, int frameHeight)
    {
        var margin = 0.01f * Math.Max(frameWidth, frameHeight);
        return b.X <= margin || b.Y <= margin || b.Right >= frameWidth - margin || b.Bottom >= frameHeight - margin;
    }

    /// <summary>Upright, then lying soon after, with the top of the box fallen well below where it stood. Pure.</summary>
    public static bool IsFall(Box upright, TimeSpan uprightAt, Box lying, TimeSpan lyingAt, TimeSpan maxFallDuration) =>
        lyingAt - uprightAt <= maxFallDuration && lying.Y - upright.Y >= TopDrop * upright.Height;

    /// <summary>The past of a person who vanished just now where this lying box appears (the tracker lost them as they fell).</summary>
    private Memo? Inherit(Box lying, TimeSpan now, IReadOnlySet<int> visible, int frameWidth, int frameHeight)
    {
        var (id, memo) = _people
            .Where(kv => !visible.Contains(kv.Key) && now - kv.Value.LastSeen <= Handover && SamePerson(kv.Value.LastBox, lying))
            .OrderByDescending(kv => kv.Value.LastSeen)
            .FirstOrDefault();
        if (memo is null) return null;
        _people.Remove(id);
        // The detector often loses a person mid-fall: the last sighting, if not lying yet, is the last
        // moment they were still up.
        if (memo.LastUpright is not null && !IsLying(memo.LastBox) && !Clipped(memo.LastBox, frameWidth, frameHeight))
        {
            memo.LastUpright = memo.LastSeen;
            memo.LastUprightBox = memo.LastBox;
        }
        return memo;
    }

    /// <summary>
    /// The same person, seen again: largely the same place, or a lying box under where they stood
    /// (sharing at least half the narrower width, its top lower).
    /// </summary>
    private static bool SamePerson(Box before, Box lying)
    {
        if (before.IntersectionArea(lying) > 0.3 * Math.Min(before.Area, lying.Area)) return true;
        var shared = Math.Min(before.Right, lying.Right) - Math.Max(before.X, lying.X);
        return shared >= 0.5 * Math.Min(before.Width, lying.Width) && lying.Y >= before.Y && lying.Y <= before.Bottom;
    }

    private static void Close(Memo memo, List<EventChange> changes)
    {
        if (memo.Event is { } open) changes.Add(new EventChange(open with { End = memo.LastDown }, Closed: true));
        memo.Event = null;
        memo.FellAt = null;
    }
}
