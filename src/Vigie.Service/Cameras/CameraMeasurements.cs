using Vigie.Analytics;

namespace Vigie.Service.Cameras;

/// <summary>One point of a time series: a value measured at a clock time.</summary>
public sealed record MeasurementPoint(DateTimeOffset Time, double Value);

/// <summary>A value a rule measures in one place of a camera (the people in a zone, their density), over time.</summary>
public sealed record MeasurementSeries(string Where, string Name, string Unit, IReadOnlyList<MeasurementPoint> Points);

/// <summary>
/// The recent time series of one camera's measurements, written by its worker, read by the API from other
/// threads: one point per series per second (the first value of each second), the last hour kept in memory.
/// </summary>
public sealed class CameraMeasurements
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Kept = TimeSpan.FromHours(1);

    private readonly object _gate = new();
    private readonly Dictionary<(string Where, string Name), Series> _series = [];

    private sealed class Series(string unit)
    {
        public string Unit { get; } = unit;
        public Queue<MeasurementPoint> Points { get; } = new();
        public MeasurementPoint? Newest { get; set; }
    }

    public void Record(DateTimeOffset clock, IReadOnlyList<Measurement> measurements)
    {
        if (measurements.Count == 0) return;
        lock (_gate)
        {
            foreach (var m in measurements)
            {
                if (!_series.TryGetValue((m.Where, m.Name), out var series)) _series[(m.Where, m.Name)] = series = new Series(m.Unit);
                // A file played again, or a clock set back, starts the series afresh.
                if (series.Newest is { } newest && clock < newest.Time) series.Points.Clear();
                else if (series.Newest is { } recent && clock - recent.Time < Every) continue;
                series.Newest = new MeasurementPoint(clock, m.Value);
                series.Points.Enqueue(series.Newest);
                while (clock - series.Points.Peek().Time > Kept) series.Points.Dequeue();
            }
        }
    }

    /// <summary>Every series, with its points from <paramref name="since"/> on (all kept points when null), by place then name.</summary>
    public IReadOnlyList<MeasurementSeries> Read(DateTimeOffset? since = null)
    {
        lock (_gate)
        {
            return _series
                .OrderBy(s => s.Key.Where, StringComparer.Ordinal).ThenBy(s => s.Key.Name, StringComparer.Ordinal)
                .Select(s => new MeasurementSeries(s.Key.Where, s.Key.Name, s.Value.Unit,
                    s.Value.Points.Where(p => since is not { } from || p.Time >= from).ToList()))
                .ToList();
        }
    }
}
