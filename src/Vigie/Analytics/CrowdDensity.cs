using Vigie.Perception;

namespace Vigie.Analytics;

/// <summary>
/// Excessive crowd density: the number of people in a zone (and persons per m² when the camera is
/// calibrated) above a threshold for a dwell time. In dense crowds detectors miss people, so the
/// count is the largest of the frame's detections, the people of the latest counting pass (the
/// detector over tiles, once a second) and an estimate from the foreground area divided by the
/// typical person's area learned from detections in the zone, or, when a crowd-counting model is
/// configured, the model's density map summed over the zone. Count and density are exposed as
/// measurements every frame.
/// </summary>
public sealed class CrowdDensity(IEnumerable<CrowdDensityZone> zones, GroundPlane? ground) : IEventRule
{
    public string UseCase => EventKinds.CrowdDensity;

    // Below the threshold this long, an ongoing event ends (a few frames of misses do not end it).
    private static readonly TimeSpan EndAfter = TimeSpan.FromSeconds(2);

    private readonly List<ZoneWatch> _zones = zones.Select(z => new ZoneWatch(z, ground)).ToList();
    private readonly List<Measurement> _measurements = [];

    public bool NeedsMotionField => _zones.Any(z => z.Settings.ForegroundEstimate);

    public bool NeedsCrowdCount => true;

    public IReadOnlyList<Measurement> Measurements => _measurements;

    public IReadOnlyList<EventChange> Update(SceneState state)
    {
        _measurements.Clear();
        var changes = new List<EventChange>();
        foreach (var z in _zones) z.Update(state, changes, _measurements);
        return changes;
    }

    public IReadOnlyList<EventChange> Flush(TimeSpan end)
    {
        var changes = new List<EventChange>();
        foreach (var z in _zones) z.Close(changes);
        return changes;
    }

    /// <summary>
    /// People estimated from foreground: each cell's covered area divided by the area of the person it
    /// is likely part of, one whose middle is at the cell's row (a person's upper body lies higher in
    /// the image than their feet, where people look smaller: dividing by the size at the cell's own row
    /// would count a near person several times). Pure.
    /// </summary>
    public static double? ForegroundEstimate(MotionField? motion, IReadOnlyList<int> cells, PersonScale scale)
    {
        if (motion is not { ForegroundReady: true } || !scale.IsKnown || cells.Count == 0) return null;
        var cellArea = 1.0 / (motion.Columns * motion.Rows);
        double people = 0;
        foreach (var c in cells)
        {
            var y = (c / motion.Columns + 0.5) / motion.Rows;
            people += motion.Foreground[c] * cellArea / scale.AreaAt(scale.FeetRowOfMiddleAt(y));
        }
        return people;
    }

    internal sealed class ZoneWatch(CrowdDensityZone settings, GroundPlane? ground)
    {
        private readonly double? _areaM2 = ground?.ToMetres.MappedArea(settings.Zone.Polygon);
        private IReadOnlyList<int>? _cells;
        private (int Columns, int Rows, IReadOnlyList<int> Cells)? _mapCells;
        private readonly PersonScale _scale = new();
        private TimeSpan? _aboveSince;
        private TimeSpan _lastAbove;
        private SceneEvent? _open;
        private double _peak;

        public CrowdDensityZone Settings => settings;

        public void Update(SceneState state, List<EventChange> changes, List<Measurement> measurements)
        {
            var people = InZone(state.Detections, state);
            // The counting pass sees more of a crowd than the frame's own detections, far people especially,
            // who also teach the person scale its small end; each of its runs is learnt from once, and only
            // from its confident people: a weak "person" in a fire's smoke would make the foreground a crowd.
            var counted = state.CountedPeople is { } pass ? InZone(pass.People, state) : [];
            List<Detection> sure = state.CountedPeople is { } run && run.Time == state.Time
                ? counted.Where(p => p.Score >= run.ConfidentFrom).ToList() : [];
            foreach (var p in sure.Count > people.Count ? sure : people)
                _scale.Observe(p.Box.Bottom / state.FrameHeight, p.Box.Height / state.FrameHeight, p.Box.Width / state.FrameWidth);
            double count = Math.Max(people.Count, counted.Count);
            if (state.CrowdMap is { } map)
            {
                if (_mapCells is not { } known || known.Columns != map.Columns || known.Rows != map.Rows)
                    _mapCells = (map.Columns, map.Rows, map.CellsIn(settings.Zone.Polygon));
                count = Math.Max(count, Math.Round(map.Sum(_mapCells.Value.Cells), 1));
            }
            else if (settings.ForegroundEstimate && state.Motion is { } motion)
            {
                _cells ??= motion.CellsIn(settings.Zone.Polygon);
                if (ForegroundEstimate(motion, _cells, _scale) is { } estimate) count = Math.Max(count, Math.Round(estimate, 1));
            }
            double? density = _areaM2 is > 0 ? count / _areaM2.Value : null;
            measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "persons", count, "persons"));
            if (density is { } dn) measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "density", Math.Round(dn, 3), "persons/m²"));

            var active = settings.Zone.Schedule.IsActive(state.Clock);
            var over = active && ((settings.MaxPersons is { } maxP && count > maxP) || (settings.MaxDensity is { } maxD && density > maxD));
            if (over)
            {
                _aboveSince ??= state.Time;
                _lastAbove = state.Time;
                _peak = Math.Max(_peak, density ?? count);
                if (_open is null && state.Time - _aboveSince.Value >= settings.Dwell)
                {
                    var value = density is { } d ? $"{d:0.00} persons/m² (limit {settings.MaxDensity})" : $"{count:0} persons (limit {settings.MaxPersons})";
                    _open = new SceneEvent(state.Camera, EventKinds.CrowdDensity, settings.Zone.Name, _aboveSince.Value, null, state.Time,
                        state.ClockAt(_aboveSince.Value), (float)Math.Min(1, (density ?? count) / ((double?)settings.MaxDensity ?? settings.MaxPersons!.Value) / 2),
                        [], settings.Zone.Polygon.Count > 0 ? Bounds(settings.Zone) : default, $"crowd in {settings.Zone.Name}: {value}");
                    changes.Add(new EventChange(_open, Closed: false));
                }
            }
            else if (_aboveSince is not null && state.Time - _lastAbove > EndAfter)
            {
                Close(changes);
            }
        }

        private List<Detection> InZone(IReadOnlyList<Detection> detections, SceneState state) =>
            detections.Where(d => d.Category == Category.Person && settings.Zone.Contains(state.Normalise(d.Box.BottomCenter))).ToList();

        public void Close(List<EventChange> changes)
        {
            if (_open is not null)
            {
                var unit = ground is null ? "persons" : "persons/m²";
                changes.Add(new EventChange(_open with { End = _lastAbove, Detail = $"{_open.Detail}; peak {_peak:0.##} {unit}" }, Closed: true));
            }
            _open = null;
            _aboveSince = null;
            _peak = 0;
        }

        private static Geometry.Box Bounds(WatchedZone zone)
        {
            var xs = zone.Polygon.Select(p => p.X).ToList();
            var ys = zone.Polygon.Select(p => p.Y).ToList();
            return Geometry.Box.FromCorners(xs.Min(), ys.Min(), xs.Max(), ys.Max());
        }
    }
}

/// <summary>
/// How big a person looks at each height of the image, learned from detected people: height grows
/// linearly with the feet's image row (a ground plane seen in perspective). Weighted least squares
/// with slow forgetting, so it settles on the camera's view and follows a zoom.
/// </summary>
public sealed class PersonScale
{
    private const double Forget = 0.995;
    private const int MinimumObservations = 5;
    private double _n, _sy, _sh, _syy, _syh, _aspect;
    private int _observed;

    public bool IsKnown => _observed >= MinimumObservations;

    /// <summary>One detected person: feet row, box height and width, all normalised to the image.</summary>
    public void Observe(double feetY, double height, double width)
    {
        if (height <= 0) return;
        _n = _n * Forget + 1;
        _sy = _sy * Forget + feetY;
        _sh = _sh * Forget + height;
        _syy = _syy * Forget + feetY * feetY;
        _syh = _syh * Forget + feetY * height;
        var aspect = width / height;
        _aspect = _observed == 0 ? aspect : _aspect + 0.05 * (aspect - _aspect);
        _observed++;
    }

    /// <summary>Expected person height (normalised) with feet at row y; never below a few pixels' worth.</summary>
    public double HeightAt(double y)
    {
        var (mean, slope, meanFeet) = Fit();
        return Math.Max(mean + slope * (y - meanFeet), 0.2 * mean);
    }

    /// <summary>
    /// The feet row of a person whose middle is at row y: f − h(f)/2 = y, with h linear in f. A view so
    /// steep that this has no sensible answer gives half the mean height below y.
    /// </summary>
    public double FeetRowOfMiddleAt(double y)
    {
        var (mean, slope, meanFeet) = Fit();
        var atZero = mean - slope * meanFeet; // h(f) = atZero + slope·f
        return slope < 1 ? (y + atZero / 2) / (1 - slope / 2) : y + mean / 2;
    }

    /// <summary>The least-squares line of height against feet row: mean height, slope, mean feet row.</summary>
    private (double Mean, double Slope, double MeanFeet) Fit()
    {
        var mean = _sh / _n;
        var meanFeet = _sy / _n;
        var variance = _syy / _n - meanFeet * meanFeet;
        return (mean, variance > 1e-4 ? (_syh / _n - meanFeet * mean) / variance : 0, meanFeet);
    }

    /// <summary>Expected image area (fraction of the image) of one person with feet at row y.</summary>
    public double AreaAt(double y)
    {
        var h = HeightAt(y);
        return h * h * Math.Max(0.1, _aspect);
    }
}
