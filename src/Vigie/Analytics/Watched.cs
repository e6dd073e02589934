using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Analytics;

/// <summary>A zone ready for the rules: polygon in normalised coordinates.</summary>
public sealed record WatchedZone(string Name, IReadOnlyList<Point2> Polygon, Schedule Schedule)
{
    public bool Contains(Point2 normalised) => Shapes.Contains(Polygon, normalised);
}

public enum CrossingDirection { LeftToRight, RightToLeft, Both }

/// <summary>A directed line: left and right are as seen from <see cref="From"/> looking at <see cref="To"/>.</summary>
public sealed record WatchedLine(string Name, Point2 From, Point2 To, Schedule Schedule);

public sealed record IntrusionZone(WatchedZone Zone, IReadOnlySet<Category> Classes, TimeSpan Dwell, TimeSpan Cooldown);

public sealed record IntrusionLine(WatchedLine Line, CrossingDirection Forbidden, IReadOnlySet<Category> Classes, TimeSpan Cooldown);

/// <summary>The camera's ground plane, when calibrated: normalised image points to metres.</summary>
public sealed record GroundPlane(Homography ToMetres)
{
    public Point2 Metres(Point2 normalised) => ToMetres.Map(normalised);
}

public sealed record WrongWayZone(WatchedZone Zone, Point2 AllowedDirection, IReadOnlySet<Category> Classes,
    double MinDistance, double MinDistanceM, TimeSpan Window, double MaxAngleDeg);

public sealed record CrowdDensityZone(WatchedZone Zone, double? MaxPersons, double? MaxDensity, TimeSpan Dwell, bool ForegroundEstimate);
