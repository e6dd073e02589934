using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Analytics;

/// <summary>
/// Wrong way: a person or vehicle in the zone whose net movement over the last window goes against the
/// allowed direction, and who has gone far enough against it (a fraction of the image along that
/// direction, or metres when the camera is calibrated) since the movement started going that way: a
/// slow walker far from the camera covers the distance over several windows. Net displacement, rather
/// than frame-to-frame velocity, makes box jitter and a brief turn cancel out. One event per track; it
/// ends when the track ends, leaves the zone or stops going the wrong way. A thing of another class
/// riding inside a person's or vehicle's box (a phone, a bag) moves with its carrier and is not
/// reported a second time.
/// </summary>
public sealed class WrongWay(IEnumerable<WrongWayZone> zones, GroundPlane? ground)
    : ZoneWatchRule(zones.Select(z => new ZoneWatch(z, ground)))
{
    public override string UseCase => EventKinds.WrongWay;

    private static readonly TimeSpan EndAfter = TimeSpan.FromSeconds(1.5);

    /// <summary>The distance must be covered within this time: slower is lingering, not going the wrong way.</summary>
    public static readonly TimeSpan LongestRun = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How far the step from <paramref name="from"/> to <paramref name="to"/> (pixels) goes against the
    /// allowed direction, and whether it is close enough to the opposite direction to count.
    /// </summary>
    public static (double Against, bool WithinAngle) Against(Point2 from, Point2 to, Point2 allowedUnit, double maxAngleDeg)
    {
        var d = to - from;
        var length = d.Length;
        if (length < 1e-9) return (0, false);
        var against = -(d.X * allowedUnit.X + d.Y * allowedUnit.Y);
        return (against, against / length >= Math.Cos(maxAngleDeg * Math.PI / 180));
    }

    /// <summary>Mostly inside a person's or vehicle's box: carried, not moving by itself. Pure box geometry.</summary>
    public static bool IsCarried(Box thing, IEnumerable<Box> carriers) =>
        carriers.Any(c => c.IntersectionArea(thing) >= CarriedShare * thing.Area);

    private const double CarriedShare = 0.5;

    private sealed class Open(SceneEvent ev)
    {
        public SceneEvent Event { get; set; } = ev;
        public TimeSpan LastWrong { get; set; } = ev.RaisedAt;
    }

    private sealed class ZoneWatch(WrongWayZone settings, GroundPlane? ground) : IZoneWatch
    {
        private readonly Dictionary<int, Open> _open = [];
        private readonly HashSet<int> _alerted = [];

        public void Update(SceneState state, List<EventChange> changes)
        {
            var active = settings.Zone.Schedule.IsActive(state.Clock);
            var carriers = state.Tracks.Where(t => t.Category is Category.Person or Category.Vehicle).Select(t => t.Box).ToList();
            foreach (var t in state.Tracks)
            {
                if (!active || !settings.Classes.Contains(t.Category)) continue;
                if (t.Category is not (Category.Person or Category.Vehicle or Category.Moving) && IsCarried(t.Box, carriers)) continue;
                var feet = state.Normalise(t.Box.BottomCenter);
                if (!settings.Zone.Contains(feet)) continue;
                var past = WrongWayFrom(state, t);
                var wrong = past is not null;
                if (wrong && _open.TryGetValue(t.Id, out var open))
                {
                    open.LastWrong = state.Time;
                    open.Event = open.Event with { Box = state.Normalise(t.Box) };
                }
                else if (wrong && _alerted.Add(t.Id))
                {
                    var (distance, _) = Measure(state, past!.Value.Box.BottomCenter, t.Box.BottomCenter);
                    var unit = ground is null ? "of the image" : "m";
                    var ev = new SceneEvent(state.Camera, EventKinds.WrongWay, settings.Zone.Name, past.Value.Time, null, state.Time,
                        state.ClockAt(past.Value.Time), t.Score, [t.Id], state.Normalise(t.Box),
                        $"{t.Label} going against the allowed direction in {settings.Zone.Name} ({distance:0.##} {unit} in {(state.Time - past.Value.Time).TotalSeconds:0.0} s)");
                    _open[t.Id] = new Open(ev);
                    changes.Add(new EventChange(ev, Closed: false));
                }
            }
            var visible = state.Tracks.Select(t => t.Id).ToHashSet();
            foreach (var (id, open) in _open.ToList())
                if (!visible.Contains(id) || state.Time - open.LastWrong > EndAfter)
                    Close(id, changes);
            foreach (var ended in state.EndedTracks) _alerted.Remove(ended.Id);
        }

        public void Close(List<EventChange> changes)
        {
            foreach (var id in _open.Keys.ToList()) Close(id, changes);
        }

        private void Close(int id, List<EventChange> changes)
        {
            var open = _open[id];
            _open.Remove(id);
            changes.Add(new EventChange(open.Event with { End = open.LastWrong }, Closed: true));
        }

        /// <summary>Distance against the direction (image fraction or metres) and whether the heading counts.</summary>
        private (double Distance, bool WithinAngle) Measure(SceneState state, Point2 fromPx, Point2 toPx)
        {
            var allowed = settings.AllowedDirection;
            if (ground is null)
            {
                var (against, ok) = Against(fromPx, toPx, allowed, settings.MaxAngleDeg);
                // The image's extent along the direction, so 0.1 means a tenth of the way across.
                var extent = Math.Sqrt(Math.Pow(state.FrameWidth * allowed.X, 2) + Math.Pow(state.FrameHeight * allowed.Y, 2));
                return (against / extent, ok);
            }
            var from = ground.Metres(state.Normalise(fromPx));
            var to = ground.Metres(state.Normalise(toPx));
            // The allowed direction drawn on the image, seen on the ground where the object is.
            var here = state.Normalise(fromPx);
            var ahead = ground.Metres(here + new Point2(allowed.X * 0.01f / state.FrameWidth * state.FrameHeight, allowed.Y * 0.01f)) - ground.Metres(here);
            var groundUnit = ahead * (1 / Math.Max(1e-9f, ahead.Length));
            return Against(from, to, groundUnit, settings.MaxAngleDeg);
        }

        /// <summary>
        /// Where the track's wrong-way run is measured from: the most recent sighting at least a window ago
        /// from which it has gone far enough against the direction, going back only while the movement since
        /// each sighting still goes against it (the run). Null when it is not going the wrong way.
        /// </summary>
        private TimedBox? WrongWayFrom(SceneState state, Track t)
        {
            var minimum = ground is null ? settings.MinDistance : settings.MinDistanceM;
            var now = t.Box.BottomCenter;
            for (int i = t.History.Count - 1; i >= 0; i--)
            {
                var h = t.History[i];
                if (state.Time - h.Time < settings.Window) continue;
                if (state.Time - h.Time > LongestRun) return null;
                var (distance, against) = Measure(state, h.Box.BottomCenter, now);
                if (!against) return null;
                if (distance >= minimum) return h;
            }
            return null;
        }
    }
}
