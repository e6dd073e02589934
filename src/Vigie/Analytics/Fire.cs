using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Analytics;

public sealed record FireZone(WatchedZone Zone, double MinFlameArea, double MinFlicker, double? MinSmokeArea, TimeSpan Dwell, TimeSpan SmokeDwell)
{
    /// <summary>When set, flames must also have grown by this share of their first area (0.5 = half as big again): a fire starting.</summary>
    public double? MinGrowth { get; init; }
}

/// <summary>
/// Fire start, without any model: flame-coloured pixels that flicker much more than the rest of the
/// scene, covering a minimum area of the zone continuously for the dwell time (and, where the zone
/// asks for it, having grown: a fire starting, not a steady warm flicker such as a screen's); or, when
/// a smoke area is configured, grey haze softening the background (<see cref="FireAnalyzer"/>) that
/// persists over the same places for the longer smoke dwell and, on average over that time, rises:
/// slowly, and more up than sideways (a grey van parking or a queue of grey coats does not climb the
/// image). A red coat, brake lights or a sunset have the colour but not the flicker; screens and flashing lights flicker but not in place for
/// seconds... mostly: see docs/EVALUATION.md for what is known to fail. With a fire/smoke detector
/// model configured (an extra detector), its fire and smoke detections in the zone alert too, once
/// they last the dwell time (gaps of up to a second allowed: a model misses a frame now and then),
/// camera motion or not.
/// </summary>
public sealed class Fire(IEnumerable<FireZone> zones) : IEventRule
{
    public string UseCase => EventKinds.Fire;

    private static readonly TimeSpan EndAfter = TimeSpan.FromSeconds(3);
    private readonly List<ZoneWatch> _zones = zones.Select(z => new ZoneWatch(z)).ToList();
    private readonly List<Measurement> _measurements = [];

    public bool NeedsFireCues => true;

    public bool NeedsSmokeCues => _zones.Any(z => z.Settings.MinSmokeArea is not null);

    // Flames flicker, and on some frames too little to count (or a gust hides them): a dip this short
    // does not restart the dwell.
    private static readonly TimeSpan FlameGap = TimeSpan.FromSeconds(0.5);

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
        var cues = state.Fire is { Ready: true } ready ? ready : null;
        // When the camera moves, flames' flicker still counts if the earlier frame could be shifted back onto
        // this one (a mast swaying in the wind, a handheld phone); a zoom or a turn changes every pixel, no
        // evidence either way. Smoke never counts then: its rise is read from the image flow, which is the
        // camera's, and its background was learnt where the view no longer is. A model still sees.
        if (cues is not null && state.Motion is { CameraMoving: true })
            cues = cues.Aligned ? cues with { Smoke = new float[cues.Smoke.Length] } : null;
        foreach (var z in _zones) z.Update(state, cues, changes, _measurements);
        return changes;
    }

    public IReadOnlyList<EventChange> Flush(TimeSpan end)
    {
        var changes = new List<EventChange>();
        foreach (var z in _zones) z.Close(changes);
        return changes;
    }

    // Haze thins and thickens: a moment below the area does not restart its clock.
    private static readonly TimeSpan SmokeGap = TimeSpan.FromSeconds(1);

    // Smoke's average climb over its dwell, in image heights per second (the motion field's flow).
    private const double MinRise = 0.01, MaxRise = 0.5;

    /// <summary>
    /// The mean image flow (normalised units per second) under the smoke cells among <paramref name="cells"/>,
    /// or null when there is none. Pure.
    /// </summary>
    public static (double X, double Y)? FlowUnderSmoke(FireCues cues, MotionField motion, IReadOnlyList<int> cells)
    {
        double x = 0, y = 0;
        var n = 0;
        foreach (var i in cells)
        {
            if (cues.Smoke[i] <= 0) continue;
            // Centre of the smoke cell, in the motion field's grid.
            var column = (int)((i % cues.Columns + 0.5) / cues.Columns * motion.Columns);
            var row = (int)((i / cues.Columns + 0.5) / cues.Rows * motion.Rows);
            var m = Math.Min(row, motion.Rows - 1) * motion.Columns + Math.Min(column, motion.Columns - 1);
            x += motion.FlowX[m];
            y += motion.FlowY[m];
            n++;
        }
        return n == 0 ? null : (x / n, y / n);
    }

    /// <summary>Rising as smoke does: up the image, slowly, more up than sideways. Pure.</summary>
    public static bool Rises(double flowX, double flowY) => -flowY >= MinRise && -flowY <= MaxRise && -flowY >= 0.5 * Math.Abs(flowX);

    /// <summary>
    /// How much a flame area grew: the mean of its last (up to) three measures over the mean of its first
    /// three, minus one (0.5 = half as big again). Pure.
    /// </summary>
    public static double Growth(IReadOnlyList<double> first, IReadOnlyList<double> last) =>
        first.Count == 0 || last.Count == 0 || first.Average() <= 0 ? 0 : last.Average() / first.Average() - 1;

    /// <summary>Share of the image covered by a cue inside some cells. Pure.</summary>
    public static double Area(float[] cue, int columns, int rows, IReadOnlyList<int> cells) =>
        cells.Sum(c => (double)cue[c]) / (columns * rows);

    /// <summary>
    /// One zone's smoke since it appeared: how the image under it moved on average, and which cells it
    /// kept covering. Smoke lingers over its source; people walking through grey haze-like patches do not.
    /// </summary>
    private sealed class SmokeTrail
    {
        private TimeSpan _last;
        private double _flowX, _flowY;
        private int _flows, _frames;
        private readonly Dictionary<int, int> _smokyFrames = [];

        public TimeSpan? Since { get; private set; }

        /// <summary>Follows one frame; returns the flow under the smoke when there was smoke to measure.</summary>
        public (double X, double Y)? Update(TimeSpan time, bool smoky, FireCues cues, IReadOnlyList<int> cells, MotionField? motion)
        {
            if (!smoky && Since is not null && time - _last > SmokeGap) Since = null;
            if (!smoky && Since is null) return null;
            if (Since is null)
            {
                (Since, _flowX, _flowY, _flows, _frames) = (time, 0, 0, 0, 0);
                _smokyFrames.Clear();
            }
            _frames++;
            if (!smoky) return null;
            _last = time;
            foreach (var c in cells)
                if (cues.Smoke[c] > 0) _smokyFrames[c] = _smokyFrames.GetValueOrDefault(c) + 1;
            if (motion is null || FlowUnderSmoke(cues, motion, cells) is not { } flow) return null;
            (_flowX, _flowY, _flows) = (_flowX + flow.X, _flowY + flow.Y, _flows + 1);
            return flow;
        }

        /// <summary>Smoke for the dwell, rising on average, with at least this area covered on half the frames or more.</summary>
        public bool Confirmed(TimeSpan now, TimeSpan dwell, double minArea, FireCues cues) =>
            Since is { } since && now - since >= dwell && _flows > 0 && Rises(_flowX / _flows, _flowY / _flows)
            && _smokyFrames.Count(c => 2 * c.Value >= _frames) / (double)(cues.Columns * cues.Rows) >= minArea;
    }

    private sealed class ZoneWatch(FireZone settings)
    {
        public FireZone Settings => settings;

        private IReadOnlyList<int>? _cells;
        private TimeSpan? _flameSince, _modelSince;
        // The flames' first and latest areas since they appeared, to tell how they grew.
        private readonly List<double> _firstFlames = [];
        private readonly Queue<double> _latestFlames = new();
        private readonly SmokeTrail _smoke = new();
        private TimeSpan _lastSeen, _modelLast, _flameLast;
        private int _modelFrames;
        private SceneEvent? _open;

        /// <param name="cues">The model-free cues; null while they cannot be trusted (the camera moving, no earlier frame).</param>
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
                if (settings.MinSmokeArea is not null)
                    measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "smoke_area", Math.Round(smoke, 4), "image"));
                var flames = active && flame >= settings.MinFlameArea && cues.FlickerRatio >= settings.MinFlicker;
                var smoky = active && settings.MinSmokeArea is { } minSmoke && smoke >= minSmoke;
                if (flames)
                {
                    _flameSince ??= state.Time;
                    _flameLast = state.Time;
                }
                else if (_flameSince is not null && state.Time - _flameLast > FlameGap)
                {
                    _flameSince = null;
                }
                Follow(flames, flame);
                if (_smoke.Update(state.Time, smoky, cues, _cells, state.Motion) is { } flow)
                    measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "smoke_rise", Math.Round(-flow.Y, 4), "image/s"));
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

            var byFlame = cues is not null && _flameLast == state.Time && _flameSince is { } f && state.Time - f >= settings.Dwell
                && (settings.MinGrowth is not { } g || FlameGrowth() >= g);
            var byModel = _modelSince is { } m && state.Time - m >= settings.Dwell && _modelFrames >= ModelMinFrames && sighted.Count > 0;
            var bySmoke = cues is not null && settings.MinSmokeArea is { } smokeArea && _smoke.Confirmed(state.Time, settings.SmokeDwell, smokeArea, cues);
            if (_open is null && (byFlame || byModel || bySmoke))
            {
                SceneEvent Raise(TimeSpan start, string what, float score, Box box) =>
                    new(state.Camera, EventKinds.Fire, settings.Zone.Name, start, null, state.Time, state.ClockAt(start), score, [], box,
                        $"possible fire in {settings.Zone.Name}: {what}");
                if (byFlame)
                    _open = Raise(_flameSince!.Value,
                        $"flickering flames over {flame:P1} of the image, area {FlameGrowth():+0%;-0%;+0%} in {(state.Time - _flameSince!.Value).TotalSeconds:0.0} s",
                        (float)Math.Min(1, cues!.FlickerRatio / (2 * settings.MinFlicker)), Bounds(cues, cues.Flame));
                else if (byModel)
                {
                    var best = sighted.MaxBy(d => d.Score)!;
                    _open = Raise(_modelSince!.Value, $"{best.Label} seen by the fire model (score {best.Score:0.00})", best.Score,
                        state.Normalise(Box.FromCorners(sighted.Min(d => d.Box.X), sighted.Min(d => d.Box.Y),
                            sighted.Max(d => d.Box.Right), sighted.Max(d => d.Box.Bottom))));
                }
                else
                    _open = Raise(_smoke.Since!.Value, $"rising smoke over {smoke:P1} of the image", 0.5f, Bounds(cues!, cues!.Smoke));
                changes.Add(new EventChange(_open, Closed: false));
            }
            // While the camera moves the cues are silent, not negative: an open fire stays open.
            else if (_open is not null && cues is not null && state.Time - _lastSeen > EndAfter)
            {
                Close(changes);
            }
        }

        private double FlameGrowth() => Growth(_firstFlames, [.. _latestFlames]);

        private void Follow(bool flames, double area)
        {
            if (_flameSince is null)
            {
                _firstFlames.Clear();
                _latestFlames.Clear();
            }
            if (!flames) return;
            if (_firstFlames.Count < 3) _firstFlames.Add(area);
            _latestFlames.Enqueue(area);
            if (_latestFlames.Count > 3) _latestFlames.Dequeue();
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
