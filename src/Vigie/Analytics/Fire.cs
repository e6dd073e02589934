using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Analytics;

public sealed record FireZone(WatchedZone Zone, double MinFlameArea, double MinFlicker, double? MinSmokeArea, TimeSpan Dwell, TimeSpan SmokeDwell);

/// <summary>
/// Fire start, without any model: flame-coloured pixels that flicker much more than the rest of the
/// scene, covering a minimum area of the zone continuously for the dwell time; or a smoke-like region
/// (grey, slowly changing) persisting for the longer smoke dwell. A red coat, brake lights or a sunset
/// have the colour but not the flicker; screens and flashing lights flicker but not in place for
/// seconds... mostly: see docs/EVALUATION.md for what is known to fail. With a fire/smoke detector
/// model configured (an extra detector), its fire and smoke detections in the zone alert too, once
/// they last the dwell time (gaps of up to a second allowed: a model misses a frame now and then),
/// camera motion or not.
/// </summary>
public sealed class Fire(IEnumerable<FireZone> zones) : IEventRule
{
    private static readonly TimeSpan EndAfter = TimeSpan.FromSeconds(3);
    private readonly List<ZoneWatch> _zones = zones.Select(z => new ZoneWatch(z)).ToList();
    private readonly List<Measurement> _measurements = [];

    public bool NeedsFireCues => true;

    // A model misses a frame now and then: sightings this close together are one fire.
    private static readonly TimeSpan ModelGap = TimeSpan.FromSeconds(1);
    private const int ModelMinFrames = 3;

    /// <summary>To recognise camera motion, which makes everything flicker.</summary>
    public bool NeedsMotionField => true;

    public IReadOnlyList<Measurement> Measurements => _measurements;

    public IReadOnlyList<EventChange> Update(SceneState state)
    {
        _measurements.Clear();
        var changes = new List<EventChange>();
        // While the camera pans or zooms every pixel changes: no flicker evidence either way. A model still sees.
        var cues = state.Fire is { Ready: true } ready && state.Motion is not { CameraMoving: true } ? ready : null;
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
        private TimeSpan? _flameSince, _smokeSince, _modelSince;
        private TimeSpan _lastSeen, _modelLast;
        private int _modelFrames;
        private SceneEvent? _open;

        /// <param name="cues">The model-free cues; null while they cannot be trusted (the camera moving, no previous frame).</param>
        public void Update(SceneState state, FireCues? cues, List<EventChange> changes, List<Measurement> measurements)
        {
            var active = settings.Zone.Schedule.IsActive(state.Clock);
            double flame = 0, smoke = 0;
            if (cues is not null)
            {
                _cells ??= Shapes.GridCellsIn(cues.Columns, cues.Rows, settings.Zone.Polygon);
                flame = Area(cues.Flame, cues.Columns, cues.Rows, _cells);
                smoke = Area(cues.Smoke, cues.Columns, cues.Rows, _cells);
                measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "flame_area", Math.Round(flame, 4), "image"));
                measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "flame_flicker", Math.Round(cues.FlickerRatio, 2), "ratio"));
                measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "smoke_area", Math.Round(smoke, 4), "image"));
                var flames = active && flame >= settings.MinFlameArea && cues.FlickerRatio >= settings.MinFlicker;
                var smoky = active && settings.MinSmokeArea is { } minSmoke && smoke >= minSmoke;
                _flameSince = flames ? _flameSince ?? state.Time : null;
                _smokeSince = smoky ? _smokeSince ?? state.Time : null;
                if (flames || smoky) _lastSeen = state.Time;
            }
            var sighted = active
                ? state.Detections.Where(d => d.Category is Category.Fire or Category.Smoke && settings.Zone.Contains(state.Normalise(d.Box.Center))).ToList()
                : [];
            if (sighted.Count > 0)
            {
                _modelSince ??= state.Time;
                _modelLast = _lastSeen = state.Time;
                _modelFrames++;
            }
            else if (_modelSince is not null && state.Time - _modelLast > ModelGap)
            {
                _modelSince = null;
                _modelFrames = 0;
            }

            var byFlame = cues is not null && _flameSince is { } f && state.Time - f >= settings.Dwell;
            var byModel = _modelSince is { } m && state.Time - m >= settings.Dwell && _modelFrames >= ModelMinFrames && sighted.Count > 0;
            var bySmoke = cues is not null && _smokeSince is { } s && state.Time - s >= settings.SmokeDwell;
            if (_open is null && (byFlame || byModel || bySmoke))
            {
                SceneEvent Raise(TimeSpan start, string what, float score, Box box) =>
                    new(state.Camera, EventKinds.Fire, settings.Zone.Name, start, null, state.Time, state.Clock - (state.Time - start), score, [], box,
                        $"possible fire in {settings.Zone.Name}: {what}");
                if (byFlame)
                    _open = Raise(_flameSince!.Value, $"flickering flames over {flame:P1} of the image",
                        (float)Math.Min(1, cues!.FlickerRatio / (2 * settings.MinFlicker)), Bounds(cues, cues.Flame));
                else if (byModel)
                {
                    var best = sighted.MaxBy(d => d.Score)!;
                    _open = Raise(_modelSince!.Value, $"{best.Label} seen by the fire model (score {best.Score:0.00})", best.Score,
                        state.Normalise(Box.FromCorners(sighted.Min(d => d.Box.X), sighted.Min(d => d.Box.Y),
                            sighted.Max(d => d.Box.Right), sighted.Max(d => d.Box.Bottom))));
                }
                else
                    _open = Raise(_smokeSince!.Value, $"smoke over {smoke:P1} of the image", 0.5f, Bounds(cues!, cues!.Smoke));
                changes.Add(new EventChange(_open, Closed: false));
            }
            // While the camera moves the cues are silent, not negative: an open fire stays open.
            else if (_open is not null && cues is not null && state.Time - _lastSeen > EndAfter)
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
