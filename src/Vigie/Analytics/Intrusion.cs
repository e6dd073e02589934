using Vigie.Geometry;
using Vigie.Tracking;

namespace Vigie.Analytics;

/// <summary>
/// Intrusion: a person or vehicle entering or staying in a forbidden zone for at least the dwell time, or
/// crossing a line in its forbidden direction. One intruder gives one event: the event lasts while the
/// intruder is inside, and a new track appearing in the zone within the cooldown after the last one was
/// lost (a tracker id switch, a brief occlusion) continues the same event instead of raising another.
/// </summary>
public sealed class Intrusion(IEnumerable<IntrusionZone> zones, IEnumerable<IntrusionLine> lines)
    : ZoneWatchRule(zones.Select(z => (IZoneWatch)new ZoneWatch(z)).Concat(lines.Select(l => new LineWatch(l))))
{
    public override string UseCase => EventKinds.Intrusion;

    // Box jitter at the zone edge must not restart the dwell clock.
    private static readonly TimeSpan EdgeGrace = TimeSpan.FromSeconds(0.5);

    private sealed class OpenEvent(SceneEvent ev, TimeSpan now)
    {
        public SceneEvent Event { get; set; } = ev;
        public HashSet<int> Tracks { get; } = [.. ev.TrackIds];
        public TimeSpan LastInside { get; set; } = now;
        public Box LastBox { get; set; }
        public double ScoreSum { get; set; } = ev.Score;
        public int Samples { get; set; } = 1;
    }

    private sealed class ZoneWatch(IntrusionZone settings) : IZoneWatch
    {
        private readonly Dictionary<int, TimeSpan> _insideSince = [];
        private readonly Dictionary<int, TimeSpan> _lastInside = [];
        private readonly List<OpenEvent> _open = [];

        public void Update(SceneState state, List<EventChange> changes)
        {
            var now = state.Time;
            // Where the last intruder was seen moves with the camera's view, as the tracks do: a new track joins
            // an event by that place.
            if (state.View is { } view)
                foreach (var open in _open) open.LastBox = view.Apply(open.LastBox);
            var active = settings.Zone.Schedule.IsActive(state.Clock);
            var insideNow = new HashSet<int>();
            if (active)
                foreach (var t in state.Tracks)
                {
                    if (!settings.Classes.Contains(t.Category)) continue;
                    if (!settings.Zone.Contains(state.Normalise(t.Box.BottomCenter))) continue;
                    insideNow.Add(t.Id);
                    if (!_insideSince.ContainsKey(t.Id)) _insideSince[t.Id] = EnteredAt(state, t);
                    _lastInside[t.Id] = now;
                    var open = _open.FirstOrDefault(e => e.Tracks.Contains(t.Id));
                    if (open is null && now - _insideSince[t.Id] >= settings.Dwell)
                        open = JoinOrOpen(state, t, changes);
                    if (open is not null) Refresh(open, state, t);
                }

            foreach (var id in _insideSince.Keys.ToList())
                if (!insideNow.Contains(id) && now - _lastInside[id] > EdgeGrace)
                {
                    _insideSince.Remove(id);
                    _lastInside.Remove(id);
                }
            foreach (var ended in state.EndedTracks)
            {
                _insideSince.Remove(ended.Id);
                _lastInside.Remove(ended.Id);
            }

            foreach (var open in _open.ToList())
                if (now - open.LastInside > settings.Cooldown || (!active && !open.Tracks.Overlaps(insideNow)))
                    Close(open, changes);
        }

        public void Close(List<EventChange> changes)
        {
            foreach (var open in _open.ToList()) Close(open, changes);
        }

        /// <summary>
        /// When the track's feet entered the zone: the tracker confirms a track one frame after its first
        /// detection, and that earlier position counts.
        /// </summary>
        private TimeSpan EnteredAt(SceneState state, Track t)
        {
            var entered = state.Time;
            for (int i = t.History.Count - 1; i >= 0; i--)
            {
                if (!settings.Zone.Contains(state.Normalise(t.History[i].Box.BottomCenter))) break;
                entered = t.History[i].Time;
            }
            return entered;
        }

        /// <summary>
        /// A new track continues an open event when that event's tracks are all gone and the new one
        /// starts where the last was seen: the same intruder under a new id, not a second intruder.
        /// </summary>
        private OpenEvent JoinOrOpen(SceneState state, Track t, List<EventChange> changes)
        {
            var visibleIds = state.Tracks.Select(x => x.Id).ToHashSet();
            var firstBox = t.History.Count > 0 ? t.History[0].Box : t.Box;
            var orphan = _open.FirstOrDefault(e => !e.Tracks.Overlaps(visibleIds)
                && (firstBox.Center - e.LastBox.Center).Length <= Math.Max(e.LastBox.Height, firstBox.Height));
            if (orphan is not null)
            {
                orphan.Tracks.Add(t.Id);
                orphan.Event = orphan.Event with { TrackIds = orphan.Tracks.Order().ToList() };
                return orphan;
            }
            var start = _insideSince[t.Id];
            var ev = new SceneEvent(state.Camera, EventKinds.Intrusion, settings.Zone.Name, start, null, state.Time,
                state.ClockAt(start), t.Score, [t.Id], state.Normalise(t.Box),
                $"{t.Label} in zone {settings.Zone.Name}");
            var open = new OpenEvent(ev, state.Time) { LastBox = t.Box };
            _open.Add(open);
            changes.Add(new EventChange(ev, Closed: false));
            return open;
        }

        private static void Refresh(OpenEvent open, SceneState state, Track t)
        {
            open.LastInside = state.Time;
            open.LastBox = t.Box;
            open.ScoreSum += t.Score;
            open.Samples++;
            open.Event = open.Event with { Box = state.Normalise(t.Box), Score = (float)(open.ScoreSum / open.Samples) };
        }

        private void Close(OpenEvent open, List<EventChange> changes)
        {
            _open.Remove(open);
            changes.Add(new EventChange(open.Event with { End = open.LastInside }, Closed: true));
        }
    }

    private sealed class LineWatch(IntrusionLine settings) : IZoneWatch
    {
        private readonly Dictionary<int, Point2> _lastPosition = [];
        private readonly Dictionary<int, TimeSpan> _lastAlert = [];

        public void Update(SceneState state, List<EventChange> changes)
        {
            var line = settings.Line;
            var active = line.Schedule.IsActive(state.Clock);
            foreach (var t in state.Tracks)
            {
                if (!settings.Classes.Contains(t.Category)) continue;
                var p = state.Normalise(t.Box.BottomCenter);
                if (_lastPosition.TryGetValue(t.Id, out var previous) && active
                    && Crossing(line.From, line.To, previous, p) is { } direction
                    && (settings.Forbidden == CrossingDirection.Both || settings.Forbidden == direction)
                    && (!_lastAlert.TryGetValue(t.Id, out var last) || state.Time - last > settings.Cooldown))
                {
                    _lastAlert[t.Id] = state.Time;
                    var detail = direction == CrossingDirection.LeftToRight ? "left to right" : "right to left";
                    var ev = new SceneEvent(state.Camera, EventKinds.Intrusion, line.Name, state.Time, state.Time, state.Time,
                        state.Clock, t.Score, [t.Id], state.Normalise(t.Box), $"{t.Label} crossed line {line.Name} {detail}");
                    changes.Add(new EventChange(ev, Closed: false));
                    changes.Add(new EventChange(ev, Closed: true));
                }
                // A point exactly on the line has no side: keep the last one that had, so a step onto
                // the line and then off it still counts as one crossing.
                if (Shapes.SideOf(line.From, line.To, p) != 0) _lastPosition[t.Id] = p;
            }
            foreach (var ended in state.EndedTracks)
            {
                _lastPosition.Remove(ended.Id);
                _lastAlert.Remove(ended.Id);
            }
        }

        /// <summary>A crossing is an instant: nothing stays open.</summary>
        public void Close(List<EventChange> changes)
        {
        }
    }

    /// <summary>The direction in which the step previous→current crosses the line, or null if it does not.</summary>
    public static CrossingDirection? Crossing(Point2 from, Point2 to, Point2 previous, Point2 current)
    {
        var before = Shapes.SideOf(from, to, previous);
        var after = Shapes.SideOf(from, to, current);
        if (before == 0 || after == 0 || before == after) return null;
        if (!Shapes.SegmentsIntersect(previous, current, from, to)) return null;
        return before < 0 ? CrossingDirection.LeftToRight : CrossingDirection.RightToLeft;
    }
}
