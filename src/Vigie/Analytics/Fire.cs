using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Analytics;

public sealed record FireZone(WatchedZone Zone, double MinFlameArea, double MinFlicker, double? MinSmokeArea, TimeSpan Dwell, TimeSpan SmokeDwell);

/// <summary>
/// Fire start, without any model: flame-coloured pixels that flicker much more than the rest of the
/// scene, covering a minimum area of the zone continuously for the dwell time; or a smoke-like region
/// (grey, slowly changing) persisting for the longer smoke dwell. A red coat, brake lights or a sunset
/// have the colour but not the flicker; screens and flashing lights flicker but not in place for
/// seconds... mostly: see docs/EVALUATION.md for what is known to fail.
/// </summary>
public sealed class Fire(IEnumerable<FireZone> zones) : IEventRule
{
    private static readonly TimeSpan EndAfter = TimeSpan.FromSeconds(3);
    private readonly List<ZoneWatch> _zones = zones.Select(z => new ZoneWatch(z)).ToList();
    private readonly List<Measurement> _measurements = [];

    public bool NeedsFireCues => true;

    /// <summary>To recognise camera motion, which makes everything flicker.</summary>
    public bool NeedsMotionField => true;

    public IReadOnlyList<Measurement> Measurements => _measurements;

    public IReadOnlyList<EventChange> Update(SceneState state)
    {
        _measurements.Clear();
        var changes = new List<EventChange>();
        // While the camera pans or zooms every pixel changes: no flicker evidence either way.
        if (state.Fire is not { Ready: true } cues || state.Motion is { CameraMoving: true }) return changes;
        foreach (var z in _zones) z.Update(state, cues, changes, _measurements);
        return changes;
    }

    public IReadOnlyList<EventChange> Flush(TimeSpan end)
    {
        var changes = new List<EventChange>();
        foreach (var z in _zones) z.Close(changes);
        return changes;
    }

    /// <summary>Share of the image covered by a cue inside some cells. Pure.</summary>
    public static double Area(float[] cue, int columns, int rows, IReadOnlyList<int> cells) =>
        cells.Sum(c => (double)cue[c]) / (columns * rows);

    private sealed class ZoneWatch(FireZone settings)
    {
        private IReadOnlyList<int>? _cells;
        private TimeSpan? _flameSince, _smokeSince;
        private TimeSpan _lastSeen;
        private SceneEvent? _open;

        public void Update(SceneState state, FireCues cues, List<EventChange> changes, List<Measurement> measurements)
        {
            _cells ??= Shapes.GridCellsIn(cues.Columns, cues.Rows, settings.Zone.Polygon);
            var flame = Area(cues.Flame, cues.Columns, cues.Rows, _cells);
            var smoke = Area(cues.Smoke, cues.Columns, cues.Rows, _cells);
            measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "flame_area", Math.Round(flame, 4), "image"));
            measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "flame_flicker", Math.Round(cues.FlickerRatio, 2), "ratio"));
            measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "smoke_area", Math.Round(smoke, 4), "image"));

            var active = settings.Zone.Schedule.IsActive(state.Clock);
            var flames = active && flame >= settings.MinFlameArea && cues.FlickerRatio >= settings.MinFlicker;
            var smoky = active && settings.MinSmokeArea is { } minSmoke && smoke >= minSmoke;
            _flameSince = flames ? _flameSince ?? state.Time : null;
            _smokeSince = smoky ? _smokeSince ?? state.Time : null;
            if (flames || smoky) _lastSeen = state.Time;
            var byFlame = _flameSince is { } f && state.Time - f >= settings.Dwell;
            var bySmoke = _smokeSince is { } s && state.Time - s >= settings.SmokeDwell;
            if (_open is null && (byFlame || bySmoke))
            {
                var start = byFlame ? _flameSince!.Value : _smokeSince!.Value;
                var what = byFlame ? $"flickering flames over {flame:P1} of the image" : $"smoke over {smoke:P1} of the image";
                _open = new SceneEvent(state.Camera, EventKinds.Fire, settings.Zone.Name, start, null, state.Time,
                    state.Clock - (state.Time - start), (float)Math.Min(1, byFlame ? cues.FlickerRatio / (2 * settings.MinFlicker) : 0.5), [],
                    Bounds(cues, byFlame ? cues.Flame : cues.Smoke), $"possible fire in {settings.Zone.Name}: {what}");
                changes.Add(new EventChange(_open, Closed: false));
            }
            else if (_open is not null && state.Time - _lastSeen > EndAfter)
            {
                Close(changes);
            }
        }

        public void Close(List<EventChange> changes)
        {
            if (_open is not null) changes.Add(new EventChange(_open with { End = _lastSeen }, Closed: true));
            _open = null;
        }

        private static Box Bounds(FireCues cues, float[] cue)
        {
            int minC = int.MaxValue, minR = int.MaxValue, maxC = -1, maxR = -1;
            for (int i = 0; i < cue.Length; i++)
            {
                if (cue[i] < 0.2f) continue;
                int c = i % cues.Columns, r = i / cues.Columns;
                (minC, maxC, minR, maxR) = (Math.Min(minC, c), Math.Max(maxC, c), Math.Min(minR, r), Math.Max(maxR, r));
            }
            return maxC < 0 ? default
                : new Box((float)minC / cues.Columns, (float)minR / cues.Rows, (float)(maxC - minC + 1) / cues.Columns, (float)(maxR - minR + 1) / cues.Rows);
        }
    }
}
