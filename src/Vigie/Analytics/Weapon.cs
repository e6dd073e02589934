using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Analytics;

public sealed record WeaponZone(WatchedZone Zone, int MinFrames, TimeSpan Window, double MinOverlap, TimeSpan Cooldown);

/// <summary>
/// Weapon: a weapon detection (a detector class mapped to the weapon category: COCO's knife by
/// default, handguns and long guns with a dedicated model) overlapping a tracked person in at least
/// <c>MinFrames</c> analysed frames within <c>Window</c>. A single-frame detection — a phone, a
/// shadow — never alerts. One event per person; it ends when the weapon has not been seen for the
/// cooldown.
/// </summary>
public sealed class Weapon(IEnumerable<WeaponZone> zones) : ZoneWatchRule(zones.Select(z => new ZoneWatch(z)))
{
    public override string UseCase => EventKinds.Weapon;

    /// <summary>Share of the weapon box that lies on the person's box: a held weapon is (mostly) inside it.</summary>
    public static double Overlap(Box weapon, Box person) => weapon.Area <= 0 ? 0 : weapon.IntersectionArea(person) / weapon.Area;

    private sealed class ZoneWatch(WeaponZone settings) : IZoneWatch
    {
        private readonly Dictionary<int, Queue<TimeSpan>> _sightings = [];
        private readonly Dictionary<int, (SceneEvent Event, TimeSpan LastSeen)> _open = [];

        public void Update(SceneState state, List<EventChange> changes)
        {
            var weapons = state.Detections.Where(d => d.Category == Category.Weapon).ToList();
            var active = settings.Zone.Schedule.IsActive(state.Clock);
            foreach (var person in state.Tracks.Where(t => t.Category == Category.Person))
            {
                if (!active || !settings.Zone.Contains(state.Normalise(person.Box.BottomCenter))) continue;
                var held = weapons.Where(w => Overlap(w.Box, person.Box) >= settings.MinOverlap).MaxBy(w => w.Score);
                if (held is null) continue;
                var seen = _sightings.TryGetValue(person.Id, out var q) ? q : _sightings[person.Id] = new Queue<TimeSpan>();
                seen.Enqueue(state.Time);
                while (seen.Count > 0 && state.Time - seen.Peek() > settings.Window) seen.Dequeue();
                if (_open.TryGetValue(person.Id, out var open))
                {
                    _open[person.Id] = (open.Event, state.Time);
                    continue;
                }
                if (seen.Count < settings.MinFrames) continue;
                var union = Box.FromCorners(Math.Min(held.Box.X, person.Box.X), Math.Min(held.Box.Y, person.Box.Y),
                    Math.Max(held.Box.Right, person.Box.Right), Math.Max(held.Box.Bottom, person.Box.Bottom));
                var ev = new SceneEvent(state.Camera, EventKinds.Weapon, settings.Zone.Name, seen.Peek(), null, state.Time,
                    state.ClockAt(seen.Peek()), held.Score, [person.Id], state.Normalise(union),
                    $"{held.Label} held by a person in {settings.Zone.Name} ({seen.Count} frames)");
                _open[person.Id] = (ev, state.Time);
                changes.Add(new EventChange(ev, Closed: false));
            }
            foreach (var (id, open) in _open.ToList())
                if (state.Time - open.LastSeen > settings.Cooldown) Close(id, changes);
            foreach (var ended in state.EndedTracks) _sightings.Remove(ended.Id);
        }

        public void Close(List<EventChange> changes)
        {
            foreach (var id in _open.Keys.ToList()) Close(id, changes);
        }

        private void Close(int id, List<EventChange> changes)
        {
            var (ev, last) = _open[id];
            _open.Remove(id);
            changes.Add(new EventChange(ev with { End = last }, Closed: true));
        }
    }
}
