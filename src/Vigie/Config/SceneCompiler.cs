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
        "fire" => Category.Fire,
        "smoke" => Category.Smoke,
        _ => Category.Other,
    };

    /// <summary>The whole image as a zone, for use cases configured on the camera itself (a hair larger: feet on the bottom edge count).</summary>
    public static readonly WatchedZone WholeFrame =
        new("frame", [new(-0.01f, -0.01f), new(1.01f, -0.01f), new(1.01f, 1.01f), new(-0.01f, 1.01f)], Analytics.Schedule.Always);

    /// <param name="site">The site's clock, which schedules are read on.</param>
    /// <param name="crowdCounted">A crowd-counting model is configured: its count replaces the foreground estimate.</param>
    /// <param name="peopleDetected">The detector finds people (a model), not only moving things: still objects can then be told from people standing.</param>
    public static IReadOnlyList<IEventRule> Rules(CameraConfig camera, TimeZoneInfo site, bool crowdCounted = false, bool peopleDetected = true)
    {
        var ground = Ground(camera.Calibration);
        var areas = camera.Zones.Select(z => (Zone: Zone(z, site), z.UseCases)).Append((Zone: WholeFrame, camera.UseCases)).ToList();
        var rules = new List<IEventRule>();

        var intrusionZones = areas.Where(a => a.UseCases.Intrusion is not null)
            .Select(a => new IntrusionZone(a.Zone, Categories(a.UseCases.Intrusion!.Classes),
                TimeSpan.FromSeconds(a.UseCases.Intrusion.DwellS), TimeSpan.FromSeconds(a.UseCases.Intrusion.CooldownS)))
            .ToList();
        var lines = camera.Lines
            .Where(l => l.Forbidden != "none")
            .Select(l => new IntrusionLine(
                new WatchedLine(l.Name, Point(l.From), Point(l.To), Schedule(l.Schedule, site)),
                l.Forbidden switch
                {
                    "left_to_right" => CrossingDirection.LeftToRight,
                    "right_to_left" => CrossingDirection.RightToLeft,
                    _ => CrossingDirection.Both,
                },
                Categories(l.Classes), TimeSpan.FromSeconds(l.CooldownS)))
            .ToList();
        if (intrusionZones.Count + lines.Count > 0) rules.Add(new Intrusion(intrusionZones, lines));

        var wrongWay = areas.Where(a => a.UseCases.WrongWay is not null)
            .Select(a =>
            {
                var w = a.UseCases.WrongWay!;
                var length = Math.Sqrt(w.AllowedDirection[0] * w.AllowedDirection[0] + w.AllowedDirection[1] * w.AllowedDirection[1]);
                return new WrongWayZone(a.Zone, new Point2((float)(w.AllowedDirection[0] / length), (float)(w.AllowedDirection[1] / length)),
                    Categories(w.Classes), w.MinDistance, w.MinDistanceM, TimeSpan.FromSeconds(w.WindowS), w.MaxAngleDeg);
            })
            .ToList();
        if (wrongWay.Count > 0) rules.Add(new WrongWay(wrongWay, ground));

        var crowd = areas.Where(a => a.UseCases.CrowdDensity is not null)
            .Select(a => new CrowdDensityZone(a.Zone, a.UseCases.CrowdDensity!.MaxPersons, a.UseCases.CrowdDensity.MaxDensity,
                TimeSpan.FromSeconds(a.UseCases.CrowdDensity.DwellS), a.UseCases.CrowdDensity.ForegroundEstimate && !crowdCounted))
            .ToList();
        if (crowd.Count > 0) rules.Add(new CrowdDensity(crowd, ground));

        var movement = areas.Where(a => a.UseCases.CrowdMovement is not null)
            .Select(a =>
            {
                var m = a.UseCases.CrowdMovement!;
                return new CrowdMovementZone(a.Zone, m.Sensitivity, TimeSpan.FromSeconds(m.DwellS), TimeSpan.FromSeconds(m.WarmupS), m.MinSpeed, m.MaxSpeed, m.MinPeople,
                    m.RunSpeed);
            })
            .ToList();
        if (movement.Count > 0) rules.Add(new CrowdMovement(movement));

        var down = areas.Where(a => a.UseCases.PersonDown is not null)
            .Select(a => new PersonDownZone(a.Zone, a.UseCases.PersonDown!.Exclude, TimeSpan.FromSeconds(a.UseCases.PersonDown.DownS),
                TimeSpan.FromSeconds(a.UseCases.PersonDown.MaxFallS)))
            .ToList();
        if (down.Any(d => !d.Exclude)) rules.Add(new PersonDown(down));

        var weapons = areas.Where(a => a.UseCases.Weapon is not null)
            .Select(a => new WeaponZone(a.Zone, a.UseCases.Weapon!.MinFrames, TimeSpan.FromSeconds(a.UseCases.Weapon.WindowS),
                a.UseCases.Weapon.MinOverlap, TimeSpan.FromSeconds(a.UseCases.Weapon.CooldownS)))
            .ToList();
        if (weapons.Count > 0) rules.Add(new Weapon(weapons));

        var fires = areas.Where(a => a.UseCases.Fire is not null)
            .Select(a =>
            {
                var f = a.UseCases.Fire!;
                return new FireZone(a.Zone, f.MinFlameArea, f.MinFlicker, f.MinSmokeArea, TimeSpan.FromSeconds(f.DwellS), TimeSpan.FromSeconds(f.SmokeDwellS))
                {
                    MinGrowth = f.MinGrowth,
                };
            })
            .ToList();
        if (fires.Count > 0) rules.Add(new Fire(fires));

        var abandoned = areas.Where(a => a.UseCases.AbandonedObject is not null)
            .Select(a =>
            {
                var o = a.UseCases.AbandonedObject!;
                return new AbandonedObjectZone(a.Zone, TimeSpan.FromSeconds(o.DwellS), TimeSpan.FromSeconds(o.MinStillS), o.OwnerRadius, TimeSpan.FromSeconds(o.WarmupS))
                {
                    StaticObjects = o.StaticObjects ?? peopleDetected ? new StaticObjectSize(o.MinObjectArea, o.MaxObjectArea) : null,
                };
            })
            .ToList();
        if (abandoned.Count > 0) rules.Add(new AbandonedObject(abandoned));
        return rules;
    }

    public static GroundPlane? Ground(CalibrationConfig? calibration) =>
        calibration is null
            ? null
            : Homography.FromPoints(calibration.Image.Select(Point).ToList(), calibration.GroundM.Select(Point).ToList()) is { } h
                ? new GroundPlane(h)
                : null;

    private static HashSet<Category> Categories(IEnumerable<string> names) => names.Select(ParseCategory).ToHashSet();

    public static WatchedZone Zone(ZoneConfig z, TimeZoneInfo site) =>
        new(z.Name, z.Polygon.Select(Point).ToList(), Schedule(z.Schedule, site));

    public static Schedule Schedule(List<Config.ScheduleWindow> windows, TimeZoneInfo site) =>
        windows.Count == 0
            ? Analytics.Schedule.Always
            : new Schedule(windows.Select(w => new Analytics.ScheduleWindow(
                w.Days.Select(DayOf).ToHashSet(),
                ConfigValidator.ParseClock(w.From)!.Value,
                ConfigValidator.ParseClock(w.To)!.Value)).ToList(), site);

    /// <param name="scoreThreshold">The detector's score threshold: what it reports as found.</param>
    public static TrackerOptions Tracker(TrackerConfig t, double scoreThreshold) => new()
    {
        RecoverThreshold = (float)scoreThreshold,
        HighThreshold = (float)t.HighThreshold,
        LowThreshold = (float)t.LowThreshold,
        NewTrackThreshold = (float)t.NewTrackThreshold,
        MatchIou = (float)t.MatchIou,
        LostBuffer = TimeSpan.FromSeconds(t.LostBufferS),
        FollowCamera = t.FollowCamera,
    };

    /// <summary>
    /// Builds the detector; fills format-dependent defaults (input size, classes, threshold). With
    /// <paramref name="keepFrom"/> below the score threshold, the model also returns weaker boxes down to
    /// it: the tracker's low-score detections, which only continue tracks (ByteTrack).
    /// </summary>
    /// <param name="section">Where the settings stand in the configuration, for errors naming them.</param>
    public static IDetector Detector(DetectorConfig d, int? threadsOverride = null, double? keepFrom = null, string section = "detector",
        IReadOnlyList<int>? tilesOverride = null)
    {
        if (!d.IsModel) return new MotionDetector();
        var format = Format(d);
        var (w, h) = InputSize(d, format);
        var classes = d.ClassNames ?? (format == ModelFormat.Rtmdet ? ClassMaps.PersonOnly : ClassMaps.Coco80);
        var threshold = Math.Min(ScoreThreshold(d), keepFrom ?? double.MaxValue);
        var overrides = Categories(d.CategoryMap);
        var model = new OnnxDetector(new OnnxModelOptions(d.Model!, format, w, h, (float)threshold, (float)d.NmsIou,
            threadsOverride ?? d.Threads, classes, overrides) { InputSizeSetting = $"{section}.input_size", TrimPadding = d.TrimPadding });
        var tiles = tilesOverride ?? d.Tiles;
        var tiling = new Tiling(tiles[0], tiles[1], (float)d.TileOverlap);
        return tiling.IsWholeFrameOnly ? model : new TiledDetector(model, tiling, (float)d.NmsIou);
    }

    /// <summary>The model's input size: the configured one, else its format's usual size.</summary>
    private static (int Width, int Height) InputSize(DetectorConfig d, ModelFormat format) =>
        d.InputSize is [var w, var h] ? (w, h) : format == ModelFormat.Rtmdet ? (640, 640) : (416, 416);

    /// <summary>
    /// The counting pass for crowd density (detector.count_tiles): only for a model that does not already
    /// tile every frame, not beside a crowd-counting model, which counts better, and only where the model
    /// shrinks the frame by half again or more (a 1280-pixel model on a 1280-pixel frame sees far people
    /// as well as its tiles would, and tiles then only cut near people into pieces). Null otherwise.
    /// </summary>
    public static PeopleCounter? PeopleCounter(SceneConfig config, int frameWidth)
    {
        var d = config.Detector;
        if (!d.IsModel || config.CrowdCounter is not null || d.Tiles.Any(v => v > 1) || d.CountTiles.All(v => v <= 1)) return null;
        if (frameWidth < 1.5 * InputSize(d, Format(d)).Width) return null;
        var counted = CountScoreThreshold(d);
        // Not every side is 1 (checked above), so the detector is tiled.
        return new PeopleCounter((TiledDetector)Detector(d, 1, counted, tilesOverride: d.CountTiles), TimeSpan.FromSeconds(d.CountEveryS), (float)counted,
            (float)ScoreThreshold(d));
    }

    /// <summary>The score from which the counting pass counts a person (detector.count_score_threshold, else two thirds of the score threshold).</summary>
    public static double CountScoreThreshold(DetectorConfig d) => d.CountScoreThreshold ?? 2.0 / 3 * ScoreThreshold(d);

    /// <summary>A detector beside the main one, loaded as a detector of its own (never tiled).</summary>
    public static ExtraDetector ExtraDetector(ExtraDetectorConfig x, int index) =>
        new(Detector(new DetectorConfig
        {
            Type = "onnx",
            Model = x.Model,
            Format = x.Format,
            InputSize = x.InputSize,
            ScoreThreshold = x.ScoreThreshold,
            ClassNames = x.ClassNames,
            CategoryMap = x.CategoryMap,
            Threads = x.Threads,
        }, section: $"extra_detectors[{index}]"), TimeSpan.FromSeconds(x.EveryS));

    /// <summary>A label → category map as the configuration writes it.</summary>
    public static Dictionary<string, Category> Categories(Dictionary<string, string> map) =>
        map.ToDictionary(kv => kv.Key, kv => ParseCategory(kv.Value));

    public static CrowdCounter CrowdCounter(CrowdCounterConfig c) =>
        new(new CrowdCounterOptions(c.Model!, c.InputSize[0], c.InputSize[1], c.Threads, TimeSpan.FromSeconds(c.EveryS)));

    /// <summary>The score a detection needs to count for the rules (a model's default when not set; 0 for the motion detector).</summary>
    public static double ScoreThreshold(DetectorConfig d) =>
        !d.IsModel ? 0 : d.ScoreThreshold ?? (Format(d) == ModelFormat.Deimv2 ? 0.45 : 0.3);

    private static ModelFormat Format(DetectorConfig d) => d.Format switch
        {
            "deimv2" => ModelFormat.Deimv2,
            "rtmdet" => ModelFormat.Rtmdet,
            "picodet" => ModelFormat.Picodet,
            "nanodet" => ModelFormat.Nanodet,
            _ => ModelFormat.Yolox,
        };

    public static IReadOnlyList<IReadOnlyList<Point2>> PrivacyMasks(CameraConfig camera) =>
        camera.PrivacyMasks.Select(m => (IReadOnlyList<Point2>)m.Polygon.Select(Point).ToList()).ToList();

    public static Point2 Point(List<double> p) => new((float)p[0], (float)p[1]);

    /// <summary>A line as drawn and indexed, whatever its schedule and alerting.</summary>
    public static WatchedLine Line(LineConfig l) => new(l.Name, Point(l.From), Point(l.To), Analytics.Schedule.Always);

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
