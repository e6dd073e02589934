using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Forensics;

/// <summary>Where a tracked object was at one analysed frame: seconds from the start of the recording, box normalised (0..1).</summary>
public readonly record struct PathPoint(double T, Box Box)
{
    /// <summary>The point on the ground under the object: what zones and lines are tested against.</summary>
    public Point2 Foot => Box.BottomCenter;
}

public static class PathPoints
{
    /// <summary>Where the object was at time t (linear between sightings); null outside its time span.</summary>
    public static Box? BoxAt(IReadOnlyList<PathPoint> points, double t)
    {
        if (points.Count == 0 || t < points[0].T || t > points[^1].T) return null;
        int lo = 0, hi = points.Count - 1;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            if (points[mid].T <= t) lo = mid; else hi = mid;
        }
        var a = points[lo];
        var b = points[hi];
        var k = b.T > a.T ? (float)((t - a.T) / (b.T - a.T)) : 0f;
        k = Math.Clamp(k, 0, 1);
        return new Box(a.Box.X + (b.Box.X - a.Box.X) * k, a.Box.Y + (b.Box.Y - a.Box.Y) * k,
            a.Box.Width + (b.Box.Width - a.Box.Width) * k, a.Box.Height + (b.Box.Height - a.Box.Height) * k);
    }
}

/// <summary>One object followed by one camera, from its first to its last sighting, as the index keeps it.</summary>
public sealed record TrackPath(Category Category, string Label, IReadOnlyList<PathPoint> Points)
{
    public double StartS => Points[0].T;
    public double EndS => Points[^1].T;
}

public sealed record ZoneVisit(string Zone, double EnterS, double LeaveS)
{
    public double DwellS => LeaveS - EnterS;
}

/// <param name="Direction">Seen from the line's 'from' point looking at its 'to' point: left_to_right or right_to_left.</param>
/// <param name="Towards">The compass point (image up being north) of the side of the line it went to: a line
/// down the image is crossed eastwards or westwards, however slanted the path across it.</param>
public sealed record LineCrossing(string Line, string Direction, string Towards, double AtS);

/// <summary>
/// What the index records of a track: what it was, when, where it went and how. Nothing about how a
/// person looks: colour is kept for vehicles and objects only.
/// </summary>
/// <param name="HeadingDeg">Direction of the overall displacement, degrees clockwise from image up (north); null when it hardly moved.</param>
/// <param name="Speed">Median speed, in <paramref name="SpeedUnit"/>: m/s on a calibrated camera, else fractions of the image per second.</param>
/// <param name="Size">Median box height as a fraction of the image height.</param>
public sealed record TrackFacts(
    Category Category,
    string Label,
    double StartS,
    double EndS,
    IReadOnlyList<ZoneVisit> Zones,
    IReadOnlyList<LineCrossing> Lines,
    double? HeadingDeg,
    string Heading,
    double Speed,
    string SpeedUnit,
    double Size);

/// <summary>Pure functions from a track's path to the facts searched on.</summary>
public static class TrackFactsBuilder
{
    /// <summary>A visit interrupted for less than this (a missed detection, a step on the border) is one visit.</summary>
    public static readonly double ZoneGapS = 1.0;

    /// <summary>Net displacement below this fraction of the image (or 0.5 m) is "static": no heading.</summary>
    public const double StillDistance = 0.03;
    public const double StillDistanceM = 0.5;

    public static TrackFacts Build(TrackPath path, IReadOnlyList<WatchedZone> zones, IReadOnlyList<WatchedLine> lines, GroundPlane? ground)
    {
        var (headingDeg, heading) = OverallHeading(path.Points, ground);
        var (speed, unit) = MedianSpeed(path.Points, ground);
        var heights = path.Points.Select(p => (double)p.Box.Height).Order().ToList();
        return new TrackFacts(path.Category, path.Label, path.StartS, path.EndS,
            zones.SelectMany(z => Visits(path.Points, z)).OrderBy(v => v.EnterS).ToList(),
            lines.SelectMany(l => Crossings(path.Points, l)).OrderBy(c => c.AtS).ToList(),
            headingDeg, heading, speed, unit, heights.Count == 0 ? 0 : heights[heights.Count / 2]);
    }

    public static IEnumerable<ZoneVisit> Visits(IReadOnlyList<PathPoint> points, WatchedZone zone)
    {
        double? enter = null;
        double last = 0;
        foreach (var p in points)
        {
            if (!zone.Contains(p.Foot)) continue;
            if (enter is { } e && p.T - last > ZoneGapS)
            {
                yield return new ZoneVisit(zone.Name, e, last);
                enter = null;
            }
            enter ??= p.T;
            last = p.T;
        }
        if (enter is { } open) yield return new ZoneVisit(zone.Name, open, last);
    }

    public static IEnumerable<LineCrossing> Crossings(IReadOnlyList<PathPoint> points, WatchedLine line)
    {
        for (int i = 1; i < points.Count; i++)
        {
            var a = points[i - 1].Foot;
            var b = points[i].Foot;
            if (!Shapes.SegmentsIntersect(a, b, line.From, line.To)) continue;
            var before = Shapes.SideOf(line.From, line.To, a);
            var after = Shapes.SideOf(line.From, line.To, b);
            if (before == after || before == 0) continue;
            yield return new LineCrossing(line.Name, before < 0 ? "left_to_right" : "right_to_left", Compass(Degrees(SideReached(line, b - a))), points[i].T);
        }
    }

    /// <summary>The line's normal on the side a step across it went to.</summary>
    private static Point2 SideReached(WatchedLine line, Point2 step)
    {
        var along = line.To - line.From;
        var normal = new Point2(-along.Y, along.X);
        return normal.X * step.X + normal.Y * step.Y >= 0 ? normal : normal * -1;
    }

    /// <summary>Degrees clockwise from image up: 0 north (up), 90 east (right), 180 south, 270 west.</summary>
    public static double Degrees(Point2 v) => (Math.Atan2(v.X, -v.Y) * 180 / Math.PI + 360) % 360;

    public static readonly IReadOnlyList<string> CompassPoints =
        ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"];

    public static string Compass(double degrees) => CompassPoints[(int)Math.Round(degrees / 45) % 8];

    /// <summary>True when a heading lies within 45° either side of a compass point (north, east, …).</summary>
    public static bool Towards(double degrees, string compassPoint)
    {
        var index = CompassPoints.ToList().IndexOf(compassPoint);
        if (index < 0) return false;
        var difference = Math.Abs((degrees - index * 45 + 540) % 360 - 180);
        return difference <= 45;
    }

    private static (double?, string) OverallHeading(IReadOnlyList<PathPoint> points, GroundPlane? ground)
    {
        // Average the first and last fifth so a jittery box or a last-frame turn does not decide.
        var n = Math.Max(1, points.Count / 5);
        var start = Mean(points.Take(n));
        var end = Mean(points.Skip(points.Count - n));
        var moved = end - start;
        var still = ground is null
            ? moved.Length < StillDistance
            : (ground.Metres(end) - ground.Metres(start)).Length < StillDistanceM;
        if (points.Count < 2 || still) return (null, "static");
        var degrees = Degrees(moved);
        return (Math.Round(degrees, 1), Compass(degrees));
    }

    private static Point2 Mean(IEnumerable<PathPoint> points)
    {
        var list = points.ToList();
        return new Point2(list.Average(p => p.Foot.X), list.Average(p => p.Foot.Y));
    }

    /// <summary>Median of speeds over steps of at least half a second, so per-frame box jitter does not dominate.</summary>
    private static (double, string) MedianSpeed(IReadOnlyList<PathPoint> points, GroundPlane? ground)
    {
        var unit = ground is null ? "image/s" : "m/s";
        var speeds = new List<double>();
        int from = 0;
        for (int i = 1; i < points.Count; i++)
        {
            var dt = points[i].T - points[from].T;
            if (dt < 0.5) continue;
            var d = ground is null
                ? (points[i].Foot - points[from].Foot).Length
                : (ground.Metres(points[i].Foot) - ground.Metres(points[from].Foot)).Length;
            speeds.Add(d / dt);
            from = i;
        }
        if (speeds.Count == 0) return (0, unit);
        speeds.Sort();
        return (Math.Round(speeds[speeds.Count / 2], 3), unit);
    }
}
