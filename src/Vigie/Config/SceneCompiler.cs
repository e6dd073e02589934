using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Config;

/// <summary>Turns a validated configuration into the engine's runtime objects.</summary>
public static class SceneCompiler
{
    public static Category ParseCategory(string name) => name switch
    {
        "person" => Category.Person,
        "vehicle" => Category.Vehicle,
        "bag" => Category.Bag,
        "weapon" => Category.Weapon,
        "animal" => Category.Animal,
        "moving" => Category.Moving,
        _ => Category.Other,
    };

    public static IReadOnlyList<IEventRule> Rules(CameraConfig camera)
    {
        var zones = camera.Zones
            .Where(z => z.UseCases.Intrusion is not null)
            .Select(z => new IntrusionZone(Zone(z), z.UseCases.Intrusion!.Classes.Select(ParseCategory).ToHashSet(),
                TimeSpan.FromSeconds(z.UseCases.Intrusion.DwellS), TimeSpan.FromSeconds(z.UseCases.Intrusion.CooldownS)))
            .ToList();
        var lines = camera.Lines
            .Select(l => new IntrusionLine(
                new WatchedLine(l.Name, Point(l.From), Point(l.To), Schedule(l.Schedule)),
                l.Forbidden switch
                {
                    "left_to_right" => CrossingDirection.LeftToRight,
                    "right_to_left" => CrossingDirection.RightToLeft,
                    _ => CrossingDirection.Both,
                },
                l.Classes.Select(ParseCategory).ToHashSet(), TimeSpan.FromSeconds(l.CooldownS)))
            .ToList();
        return zones.Count + lines.Count == 0 ? [] : [new Intrusion(zones, lines)];
    }

    public static WatchedZone Zone(ZoneConfig z) =>
        new(z.Name, z.Polygon.Select(Point).ToList(), Schedule(z.Schedule));

    public static Schedule Schedule(List<Config.ScheduleWindow> windows) =>
        windows.Count == 0
            ? Analytics.Schedule.Always
            : new Schedule(windows.Select(w => new Analytics.ScheduleWindow(
                w.Days.Select(DayOf).ToHashSet(),
                ConfigValidator.ParseClock(w.From)!.Value,
                ConfigValidator.ParseClock(w.To)!.Value)).ToList(), TimeZoneInfo.Local);

    public static TrackerOptions Tracker(TrackerConfig t) => new()
    {
        HighThreshold = (float)t.HighThreshold,
        LowThreshold = (float)t.LowThreshold,
        NewTrackThreshold = (float)t.NewTrackThreshold,
        MatchIou = (float)t.MatchIou,
        LostBuffer = TimeSpan.FromSeconds(t.LostBufferS),
    };

    /// <summary>Builds the detector; fills format-dependent defaults (input size, classes, threshold).</summary>
    public static IDetector Detector(DetectorConfig d, int? threadsOverride = null)
    {
        if (d.Type == "motion") return new MotionDetector();
        var format = d.Format switch
        {
            "deimv2" => ModelFormat.Deimv2,
            "rtmdet" => ModelFormat.Rtmdet,
            _ => ModelFormat.Yolox,
        };
        var (w, h) = d.InputSize is [var iw, var ih] ? (iw, ih) : format == ModelFormat.Rtmdet ? (640, 640) : (416, 416);
        var classes = d.ClassNames ?? (format == ModelFormat.Rtmdet ? ClassMaps.PersonOnly : ClassMaps.Coco80);
        var threshold = d.ScoreThreshold ?? (format == ModelFormat.Deimv2 ? 0.45 : 0.3);
        var overrides = d.CategoryMap.ToDictionary(kv => kv.Key, kv => ParseCategory(kv.Value));
        return new OnnxDetector(new OnnxModelOptions(d.Model!, format, w, h, (float)threshold, (float)d.NmsIou,
            threadsOverride ?? d.Threads, classes, overrides));
    }

    private static Point2 Point(List<double> p) => new((float)p[0], (float)p[1]);

    private static DayOfWeek DayOf(string d) => d switch
    {
        "mon" => DayOfWeek.Monday,
        "tue" => DayOfWeek.Tuesday,
        "wed" => DayOfWeek.Wednesday,
        "thu" => DayOfWeek.Thursday,
        "fri" => DayOfWeek.Friday,
        "sat" => DayOfWeek.Saturday,
        _ => DayOfWeek.Sunday,
    };
}
