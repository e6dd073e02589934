using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Analytics;

/// <param name="RunSpeed">People moving at least this many of their own heights per second are running; 0: not watched.</param>
public sealed record CrowdMovementZone(WatchedZone Zone, double ZThreshold, TimeSpan Dwell, TimeSpan Warmup, double MinSpeed, double? MaxSpeed,
    int MinPeople, double RunSpeed = 0);

/// <summary>Optical-flow statistics of a zone on one frame (speeds in image fractions per second).</summary>
public readonly record struct FlowStats(double Speed, double Coherence, double Divergence);

/// <summary>
/// Crowd movement: a sudden collective motion (starting to run, dispersing, converging, surging) seen
/// in dense optical flow. Each zone learns its own normal (running mean and spread of flow speed and
/// divergence), so a busy station and a quiet square each have theirs; an alert needs the motion to
/// stand out from that normal by <c>ZThreshold</c> spreads for the dwell time. Frames where the whole
/// image moves as one (a camera pan, shake or zoom) are ignored: that is the camera, not the crowd.
/// A crowd is people: the alert also needs <c>MinPeople</c> people (or, with the model-free motion
/// detector, moving things) detected in the zone during the abnormal motion; one car driving into an
/// empty car park is sudden motion, not a crowd.
/// A crowd that runs needs no learned normal: <c>MinPeople</c> tracked people each covering
/// <c>RunSpeed</c> of their own height per second (walking is under one) alert at once, even in
/// the first seconds of a camera or when the scene is already in turmoil when the analysis starts.
/// </summary>
public sealed class CrowdMovement(IEnumerable<CrowdMovementZone> zones) : IEventRule
{
    public string UseCase => EventKinds.CrowdMovement;

    private static readonly TimeSpan EndAfter = TimeSpan.FromSeconds(2);
    // The learned normal forgets in about 10 s, at any analysis rate.
    private const double MemoryS = 10;

    private readonly List<ZoneWatch> _zones = zones.Select(z => new ZoneWatch(z)).ToList();
    private readonly List<Measurement> _measurements = [];
    private TimeSpan? _previousTime;

    public bool NeedsMotionField => true;

    public IReadOnlyList<Measurement> Measurements => _measurements;

    public IReadOnlyList<EventChange> Update(SceneState state)
    {
        _measurements.Clear();
        var changes = new List<EventChange>();
        // What one frame teaches the normal: the time since the previous analysed frame, whatever happened on it.
        var learning = LearningRate.Over(_previousTime is { } previous ? (state.Time - previous).TotalSeconds : 0, MemoryS);
        _previousTime = state.Time;
        if (state.Motion is not { } motion || motion.CameraMoving) return changes;
        foreach (var z in _zones) z.Update(state, motion, learning, changes, _measurements);
        return changes;
    }

    public IReadOnlyList<EventChange> Flush(TimeSpan end)
    {
        var changes = new List<EventChange>();
        foreach (var z in _zones) z.Close(changes);
        return changes;
    }

    /// <summary>Mean flow speed, coherence (1 = all cells move the same way) and divergence over some cells. Pure.</summary>
    public static FlowStats Stats(MotionField m, IReadOnlyList<int> cells)
    {
        if (cells.Count == 0) return default;
        double speed = 0, sumX = 0, sumY = 0, divergence = 0;
        int divergenceCells = 0;
        foreach (var i in cells)
        {
            double vx = m.FlowX[i], vy = m.FlowY[i];
            speed += Math.Sqrt(vx * vx + vy * vy);
            sumX += vx;
            sumY += vy;
            int c = i % m.Columns, r = i / m.Columns;
            if (c > 0 && c < m.Columns - 1 && r > 0 && r < m.Rows - 1)
            {
                // Central differences; cell spacing in normalised units.
                var dvx = (m.FlowX[i + 1] - m.FlowX[i - 1]) / (2.0 / m.Columns);
                var dvy = (m.FlowY[i + m.Columns] - m.FlowY[i - m.Columns]) / (2.0 / m.Rows);
                divergence += dvx + dvy;
                divergenceCells++;
            }
        }
        var coherence = speed > 1e-9 ? Math.Sqrt(sumX * sumX + sumY * sumY) / speed : 0;
        return new FlowStats(speed / cells.Count, coherence, divergenceCells > 0 ? divergence / divergenceCells : 0);
    }

    /// <summary>
    /// People (or moving things) with their feet in the zone whose feet moved at least <paramref name="runSpeed"/>
    /// of their height per second over the last second. Net displacement, so box jitter and pacing cancel; the
    /// height is the tallest box of that second, as a person partly hidden for a moment looks shorter. Pure.
    /// </summary>
    public static int Running(SceneState state, WatchedZone zone, double runSpeed)
    {
        var running = 0;
        foreach (var t in state.Tracks)
        {
            if (t.Category is not (Category.Person or Category.Moving) || t.LastSeen != state.Time
                || !zone.Contains(state.Normalise(t.Box.BottomCenter))) continue;
            var from = LastBefore(t.History, state.Time - RunWindow);
            if (from is not { } past || state.Time - past.Time > 1.5 * RunWindow) continue;
            var height = t.History.Where(h => h.Time >= past.Time).Max(h => h.Box.Height);
            var moved = (t.Box.BottomCenter - past.Box.BottomCenter).Length;
            if (height > 0 && moved / height / (state.Time - past.Time).TotalSeconds >= runSpeed) running++;
        }
        return running;
    }

    private static readonly TimeSpan RunWindow = TimeSpan.FromSeconds(1);

    private static TimedBox? LastBefore(IReadOnlyList<TimedBox> history, TimeSpan time)
    {
        for (int i = history.Count - 1; i >= 0; i--)
            if (history[i].Time <= time) return history[i];
        return null;
    }

    private sealed class Baseline
    {
        private double _mean, _variance;
        private bool _started;

        /// <param name="rate">How much this frame teaches (see <see cref="LearningRate"/>).</param>
        public void Learn(double value, double rate)
        {
            if (!_started)
            {
                _mean = value;
                _started = true;
                return;
            }
            var delta = value - _mean;
            _mean += rate * delta;
            _variance = (1 - rate) * (_variance + rate * delta * delta);
        }

        /// <summary>How many spreads above normal; the spread is floored so a perfectly still scene is not hair-trigger.</summary>
        public double Z(double value, double floor) => (value - _mean) / Math.Max(Math.Sqrt(_variance), Math.Max(floor, 0.25 * Math.Abs(_mean)));
    }

    private sealed class ZoneWatch(CrowdMovementZone settings)
    {
        private readonly Baseline _speed = new();
        private readonly Baseline _divergence = new();
        private IReadOnlyList<int>? _cells;
        private TimeSpan? _firstSeen;
        private TimeSpan? _onset;
        private TimeSpan _lastAbnormal;
        private int _mostPeople;
        private SceneEvent? _open;

        public void Update(SceneState state, MotionField motion, double learning, List<EventChange> changes, List<Measurement> measurements)
        {
            _cells ??= motion.CellsIn(settings.Zone.Polygon);
            var stats = Stats(motion, _cells);
            _firstSeen ??= state.Time;
            measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "flow_speed", Math.Round(stats.Speed, 4), "image/s"));
            measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "flow_coherence", Math.Round(stats.Coherence, 3), ""));
            measurements.Add(new Measurement(state.Camera, settings.Zone.Name, "flow_divergence", Math.Round(stats.Divergence, 3), "1/s"));

            var warm = state.Time - _firstSeen.Value >= settings.Warmup;
            var zSpeed = _speed.Z(stats.Speed, 0.01);
            var zDivergence = _divergence.Z(Math.Abs(stats.Divergence), 0.05);
            var running = settings.RunSpeed > 0 ? Running(state, settings.Zone, settings.RunSpeed) : 0;
            var crowdRunning = running >= settings.MinPeople;
            var abnormal = settings.Zone.Schedule.IsActive(state.Clock)
                && ((warm && stats.Speed >= settings.MinSpeed && Math.Max(zSpeed, zDivergence) >= settings.ZThreshold)
                    || (settings.MaxSpeed is { } max && stats.Speed > max)
                    || crowdRunning);
            if (!abnormal)
            {
                // Only normal frames teach the baseline: a long surge must not become the new normal.
                _speed.Learn(stats.Speed, learning);
                _divergence.Learn(Math.Abs(stats.Divergence), learning);
                if (_onset is not null && state.Time - _lastAbnormal > EndAfter) Close(changes);
                return;
            }
            _onset ??= state.Time;
            _lastAbnormal = state.Time;
            _mostPeople = Math.Max(_mostPeople, Math.Max(running, PeopleIn(state)));
            if (_open is null && state.Time - _onset.Value >= settings.Dwell && _mostPeople >= settings.MinPeople)
            {
                var what = stats.Divergence > 0.5 ? "dispersing" : stats.Divergence < -0.5 ? "converging" : stats.Coherence > 0.6 ? "surging one way"
                    : crowdRunning ? "running" : "moving suddenly";
                var measure = warm
                    ? $"flow {stats.Speed:0.###} image/s ({Math.Max(zSpeed, zDivergence):0.0}× its normal spread)"
                    : $"flow {stats.Speed:0.###} image/s (no normal learned yet)";
                if (crowdRunning) measure += $", {running} people running (≥ {settings.RunSpeed:0.#} heights/s)";
                _open = new SceneEvent(state.Camera, EventKinds.CrowdMovement, settings.Zone.Name, _onset.Value, null, state.Time,
                    state.ClockAt(_onset.Value),
                    (float)Math.Min(1, crowdRunning ? 1 : Math.Max(zSpeed, zDivergence) / (2 * settings.ZThreshold)), [],
                    default, $"crowd {what} in {settings.Zone.Name}: {measure}");
                changes.Add(new EventChange(_open, Closed: false));
            }
        }

        /// <summary>People (or anonymous moving things) detected with their feet in the zone on this frame.</summary>
        private int PeopleIn(SceneState state) => state.Detections.Count(d =>
            d.Category is Category.Person or Category.Moving && settings.Zone.Contains(state.Normalise(d.Box.BottomCenter)));

        public void Close(List<EventChange> changes)
        {
            if (_open is not null) changes.Add(new EventChange(_open with { End = _lastAbnormal }, Closed: true));
            _open = null;
            _onset = null;
            _mostPeople = 0;
        }
    }
}
