using System.Globalization;

namespace Vigie.Config;

/// <summary>Checks a parsed configuration and reports every problem at once, each with its path.</summary>
public static class ConfigValidator
{
    public static readonly string[] Categories = ["person", "vehicle", "bag", "weapon", "animal", "moving", "other", "fire", "smoke"];
    private static readonly string[] Days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    public static IReadOnlyList<string> Validate(SceneConfig config)
    {
        var errors = new List<string>();
        void Err(string path, string message) => errors.Add($"{path}: {message}");

        if (config.Version != 1) Err("version", $"unsupported version {config.Version}; this Vigie reads version 1");
        if (config.TimeZone is { } timeZone && SiteTime.Find(timeZone) is null)
            Err("time_zone", Directory.Exists("/usr/share/zoneinfo") || !OperatingSystem.IsLinux()
                ? $"'{timeZone}' is not a time zone this machine knows: give an IANA name such as Europe/Paris (the names are those under /usr/share/zoneinfo)"
                : $"'{timeZone}' cannot be looked up: this machine has no time zone database (install Debian's tzdata package)");

        var a = config.Analysis;
        if (a.Fps < 0 || double.IsNaN(a.Fps)) Err("analysis.fps", "must be 0 (every frame) or a positive number of frames per second");
        if (a.MaxWidth < 0) Err("analysis.max_width", "must be 0 (source width) or a positive number of pixels");
        else if (a.MaxWidth is > 0 and < 64) Err("analysis.max_width", "must be at least 64 pixels");
        if (a.ImagesFps <= 0) Err("analysis.images_fps", "must be a positive number of images per second");
        if (a.StallTimeoutS <= 0) Err("analysis.stall_timeout_s", "must be a positive number of seconds");

        ValidateDetector(config.Detector, Err);
        if (config.CrowdCounter is { } counter) ValidateCrowdCounter(counter, Err);
        for (int i = 0; i < config.ExtraDetectors.Count; i++) ValidateExtraDetector($"extra_detectors[{i}]", config.ExtraDetectors[i], Err);
        ValidateService(config.Service, Err);

        var t = config.Tracker;
        Unit("tracker.high_threshold", t.HighThreshold, Err);
        Unit("tracker.low_threshold", t.LowThreshold, Err);
        Unit("tracker.new_track_threshold", t.NewTrackThreshold, Err);
        Unit("tracker.match_iou", t.MatchIou, Err);
        if (t.LowThreshold > t.HighThreshold) Err("tracker.low_threshold", "must not exceed tracker.high_threshold");
        if (t.LostBufferS < 0) Err("tracker.lost_buffer_s", "must be zero or more seconds");

        var cameraNames = new HashSet<string>();
        for (int c = 0; c < config.Cameras.Count; c++)
        {
            var cam = config.Cameras[c];
            var cp = $"cameras[{c}]";
            ValidateName($"{cp}.name", cam.Name, cameraNames, "another camera", Err);
            if (cam.StartTime is { } start && SiteTime.Parse(start, TimeZoneInfo.Utc) is null)
                Err($"{cp}.start_time", $"'{start}' is not a date and time (ISO 8601: 2026-11-20T14:00:00 on the site's clock, or 2026-11-20T14:00:00+01:00)");

            var zoneNames = new HashSet<string>();
            for (int z = 0; z < cam.Zones.Count; z++)
            {
                var zone = cam.Zones[z];
                var zp = $"{cp}.zones[{z}]";
                ValidateName($"{zp}.name", zone.Name, zoneNames, "another zone of this camera", Err);
                ValidatePolygon($"{zp}.polygon", zone.Polygon, Err);
                ValidateSchedule($"{zp}.schedule", zone.Schedule, Err);
                ValidateUseCases($"{zp}.use_cases", zone.UseCases, cam, Err);
            }
            ValidateUseCases($"{cp}.use_cases", cam.UseCases, cam, Err);
            for (int m = 0; m < cam.PrivacyMasks.Count; m++)
                ValidatePolygon($"{cp}.privacy_masks[{m}].polygon", cam.PrivacyMasks[m].Polygon, Err);
            if (cam.Calibration is { } cal) ValidateCalibration($"{cp}.calibration", cal, Err);

            var lineNames = new HashSet<string>();
            for (int l = 0; l < cam.Lines.Count; l++)
            {
                var line = cam.Lines[l];
                var lp = $"{cp}.lines[{l}]";
                ValidateName($"{lp}.name", line.Name, lineNames, "another line of this camera", Err);
                var fromOk = ValidatePoint($"{lp}.from", line.From, Err);
                var toOk = ValidatePoint($"{lp}.to", line.To, Err);
                if (fromOk && toOk && Math.Abs(line.From[0] - line.To[0]) < 1e-6 && Math.Abs(line.From[1] - line.To[1]) < 1e-6)
                    Err($"{lp}.to", "must differ from 'from': a line needs a length");
                if (line.Forbidden is not ("left_to_right" or "right_to_left" or "both" or "none"))
                    Err($"{lp}.forbidden", $"'{line.Forbidden}' is not one of left_to_right, right_to_left, both, none");
                ValidateClasses($"{lp}.classes", line.Classes, Err);
                if (line.CooldownS < 0) Err($"{lp}.cooldown_s", "must be zero or more seconds");
                ValidateSchedule($"{lp}.schedule", line.Schedule, Err);
            }
        }
        return errors;
    }

    private static void ValidateUseCases(string path, ZoneUseCases u, CameraConfig camera, Action<string, string> err)
    {
        if (u.Intrusion is { } i)
        {
            var ip = $"{path}.intrusion";
            ValidateClasses($"{ip}.classes", i.Classes, err);
            if (i.DwellS < 0) err($"{ip}.dwell_s", "must be zero or more seconds");
            if (i.CooldownS < 0) err($"{ip}.cooldown_s", "must be zero or more seconds");
        }
        if (u.WrongWay is { } w)
        {
            var wp = $"{path}.wrong_way";
            if (w.AllowedDirection.Count != 2) err($"{wp}.allowed_direction", "needs exactly two numbers [dx, dy]");
            else if (Math.Abs(w.AllowedDirection[0]) + Math.Abs(w.AllowedDirection[1]) < 1e-9) err($"{wp}.allowed_direction", "has zero length: it gives no direction");
            ValidateClasses($"{wp}.classes", w.Classes, err);
            if (w.MinDistance is <= 0 or > 1) err($"{wp}.min_distance", "must be a fraction of the image in (0, 1]");
            if (w.MinDistanceM <= 0) err($"{wp}.min_distance_m", "must be a positive number of metres");
            if (w.WindowS <= 0) err($"{wp}.window_s", "must be a positive number of seconds");
            if (w.MaxAngleDeg is <= 0 or > 90) err($"{wp}.max_angle_deg", "must be in (0, 90] degrees");
        }
        if (u.CrowdDensity is { } d)
        {
            var dp = $"{path}.crowd_density";
            if (d.MaxPersons is null && d.MaxDensity is null) err(dp, "needs max_persons or max_density");
            if (d.MaxPersons is <= 0) err($"{dp}.max_persons", "must be a positive number of people");
            if (d.MaxDensity is <= 0) err($"{dp}.max_density", "must be a positive number of persons per m²");
            if (d.MaxDensity is not null && camera.Calibration is null)
                err($"{dp}.max_density", "needs the camera's calibration (four image points with their ground positions in metres)");
            if (d.DwellS < 0) err($"{dp}.dwell_s", "must be zero or more seconds");
        }
        if (u.CrowdMovement is { } m)
        {
            var mp = $"{path}.crowd_movement";
            if (m.Sensitivity <= 0) err($"{mp}.sensitivity", "must be a positive number of spreads");
            if (m.DwellS < 0) err($"{mp}.dwell_s", "must be zero or more seconds");
            if (m.WarmupS < 0) err($"{mp}.warmup_s", "must be zero or more seconds");
            if (m.MinSpeed < 0) err($"{mp}.min_speed", "must be zero or more");
            if (m.MaxSpeed is <= 0) err($"{mp}.max_speed", "must be a positive speed");
            if (m.MinPeople < 1) err($"{mp}.min_people", "must be at least one person");
            if (m.RunSpeed < 0 || double.IsNaN(m.RunSpeed)) err($"{mp}.run_speed", "must be 0 (off) or a positive number of heights per second");
        }
        if (u.PersonDown is { } p)
        {
            if (p.DownS < 0) err($"{path}.person_down.down_s", "must be zero or more seconds");
            if (p.MaxFallS <= 0) err($"{path}.person_down.max_fall_s", "must be a positive number of seconds");
        }
        if (u.Weapon is { } w2)
        {
            var wp = $"{path}.weapon";
            if (w2.MinFrames < 1) err($"{wp}.min_frames", "must be at least 1");
            if (w2.WindowS <= 0) err($"{wp}.window_s", "must be a positive number of seconds");
            if (w2.MinOverlap is < 0 or > 1) err($"{wp}.min_overlap", "must be within 0..1");
            if (w2.CooldownS < 0) err($"{wp}.cooldown_s", "must be zero or more seconds");
        }
        if (u.AbandonedObject is { } a)
        {
            var ap = $"{path}.abandoned_object";
            if (a.DwellS < 0) err($"{ap}.dwell_s", "must be zero or more seconds");
            if (a.MinStillS < 0) err($"{ap}.min_still_s", "must be zero or more seconds");
            if (a.OwnerRadius < 0) err($"{ap}.owner_radius", "must be zero or more object sizes");
            if (a.WarmupS < 0) err($"{ap}.warmup_s", "must be zero or more seconds");
            if (a.MinObjectArea is <= 0 or >= 1) err($"{ap}.min_object_area", "must be a share of the image area between 0 and 1 (exclusive)");
            if (a.MaxObjectArea is <= 0 or > 1) err($"{ap}.max_object_area", "must be a share of the image area, above 0 and at most 1");
            else if (a.MaxObjectArea <= a.MinObjectArea) err($"{ap}.max_object_area", $"must be larger than min_object_area ({a.MinObjectArea})");
        }
        if (u.Fire is { } f)
        {
            var fp = $"{path}.fire";
            if (f.MinFlameArea is <= 0 or > 1) err($"{fp}.min_flame_area", "must be a share of the image in (0, 1]");
            if (f.MinSmokeArea is not null and (<= 0 or > 1)) err($"{fp}.min_smoke_area", "must be a share of the image in (0, 1]");
            if (f.MinFlicker <= 0) err($"{fp}.min_flicker", "must be a positive ratio");
            if (f.MinGrowth is <= 0) err($"{fp}.min_growth", "must be a positive share (0.5 = half as big again)");
            if (f.DwellS < 0) err($"{fp}.dwell_s", "must be zero or more seconds");
            if (f.SmokeDwellS < 0) err($"{fp}.smoke_dwell_s", "must be zero or more seconds");
        }
    }

    private static void ValidateCalibration(string path, CalibrationConfig c, Action<string, string> err)
    {
        if (c.Image.Count != 4) { err($"{path}.image", $"needs exactly 4 points, has {c.Image.Count}"); return; }
        if (c.GroundM.Count != 4) { err($"{path}.ground_m", $"needs exactly 4 points, has {c.GroundM.Count}"); return; }
        var ok = true;
        for (int i = 0; i < 4; i++)
        {
            ok &= ValidatePoint($"{path}.image[{i}]", c.Image[i], err);
            if (c.GroundM[i].Count != 2) { err($"{path}.ground_m[{i}]", "a point needs exactly 2 coordinates [x, y] in metres"); ok = false; }
        }
        if (!ok) return;
        var image = c.Image.Select(p => new Geometry.Point2((float)p[0], (float)p[1])).ToList();
        var ground = c.GroundM.Select(p => new Geometry.Point2((float)p[0], (float)p[1])).ToList();
        if (Geometry.Homography.HasCollinearTriple(image)) err($"{path}.image", "three of the points are collinear: they cannot define the ground plane");
        else if (Geometry.Homography.HasCollinearTriple(ground)) err($"{path}.ground_m", "three of the points are collinear: they cannot define the ground plane");
    }

    private static void ValidateService(ServiceConfig s, Action<string, string> err)
    {
        if (!Uri.TryCreate(s.Listen, UriKind.Absolute, out var listen) || listen.Scheme is not ("http" or "https"))
            err("service.listen", $"'{s.Listen}' is not an http(s) URL such as http://127.0.0.1:8080");
        if (string.IsNullOrWhiteSpace(s.DataFolder)) err("service.data_folder", "must not be empty");
        if (s.Storage.Type is not ("sqlite" or "postgres"))
            err("service.storage.type", $"'{s.Storage.Type}' is not one of sqlite, postgres");
        else if (s.Storage.Type == "postgres" && string.IsNullOrWhiteSpace(s.Storage.Connection))
            err("service.storage.connection", "postgres needs a connection string, e.g. Host=127.0.0.1;Database=vigie;Username=vigie;Password=...");
        var e = s.Evidence;
        if (e.BeforeS is < 0 or > 60) err("service.evidence.before_s", "must be between 0 and 60 seconds");
        if (e.AfterS is < 0 or > 60) err("service.evidence.after_s", "must be between 0 and 60 seconds");
        if (e.MaxWidth < 64) err("service.evidence.max_width", "must be at least 64 pixels");
        if (s.Reconnect.InitialS <= 0) err("service.reconnect.initial_s", "must be a positive number of seconds");
        if (s.Reconnect.MaxS < s.Reconnect.InitialS) err("service.reconnect.max_s", "must not be below initial_s");
        for (int i = 0; i < s.TrustedProxies.Count; i++)
            if (!System.Net.IPAddress.TryParse(s.TrustedProxies[i], out _))
                err($"service.trusted_proxies[{i}]", $"'{s.TrustedProxies[i]}' is not an IP address");
        var sec = s.Security;
        if (sec.SessionHours is <= 0 or > 24 * 7) err("service.security.session_hours", "must be more than 0 and at most 168 hours");
        if (sec.IdleMinutes <= 0) err("service.security.idle_minutes", "must be a positive number of minutes");
        if (sec.LockoutAttempts is < 1 or > 100) err("service.security.lockout_attempts", "must be between 1 and 100");
        if (sec.LockoutMinutes <= 0) err("service.security.lockout_minutes", "must be a positive number of minutes");
        if (sec.SignInsPerSecond is < 0.1 or > 1000) err("service.security.sign_ins_per_second", "must be between 0.1 and 1000");
        var ret = s.Retention;
        if (ret.EvidenceDays <= 0) err("service.retention.evidence_days", "must be a positive number of days");
        if (ret.AlertMonths < 1) err("service.retention.alert_months", "must be at least 1 month");
        else if (ret.EvidenceDays > ret.AlertMonths * 31.0) err("service.retention.evidence_days", "must not outlast the alerts it belongs to (alert_months)");
        if (ret.PurgeEveryMinutes <= 0) err("service.retention.purge_every_minutes", "must be a positive number of minutes");
        if (ret.MinFreeMb < 0) err("service.retention.min_free_mb", "must be 0 (off) or a positive number of megabytes");
        if (s.Notifications.Mqtt is { } m)
        {
            if (string.IsNullOrWhiteSpace(m.Host)) err("service.notifications.mqtt.host", "must not be empty");
            if (m.Port is < 1 or > 65535) err("service.notifications.mqtt.port", "must be a TCP port (1..65535)");
            if (string.IsNullOrWhiteSpace(m.Topic) || m.Topic.Contains('#') || m.Topic.Contains('+'))
                err("service.notifications.mqtt.topic", "must be a topic name without wildcards");
        }
        for (int i = 0; i < s.Notifications.Webhooks.Count; i++)
        {
            var w = s.Notifications.Webhooks[i];
            if (!Uri.TryCreate(w.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                err($"service.notifications.webhooks[{i}].url", $"'{w.Url}' is not an http(s) URL");
            if (w.Secret.Length < 16) err($"service.notifications.webhooks[{i}].secret", "must be at least 16 characters: receivers check the signature with it");
        }
        if (s.MetricsToken is { Length: < 24 }) err("service.metrics_token", "must be at least 24 characters: it is all that guards /metrics");
    }

    private static void ValidateCrowdCounter(CrowdCounterConfig c, Action<string, string> err)
    {
        if (string.IsNullOrWhiteSpace(c.Model)) err("crowd_counter.model", "is required: the path of a density-map ONNX model");
        if (c.InputSize.Count != 2) err("crowd_counter.input_size", "needs exactly two numbers: [width, height]");
        else if (c.InputSize.Any(v => v < 32 || v % 8 != 0)) err("crowd_counter.input_size", "must be multiples of 8, at least 32 pixels");
        if (c.EveryS < 0 || double.IsNaN(c.EveryS)) err("crowd_counter.every_s", "must be zero (every analysed frame) or a positive number of seconds");
        if (c.Threads < 1) err("crowd_counter.threads", "must be at least 1");
    }

    private static void ValidateExtraDetector(string path, ExtraDetectorConfig x, Action<string, string> err)
    {
        if (string.IsNullOrWhiteSpace(x.Model)) err($"{path}.model", "is required: the path of an ONNX detector");
        if (x.Format is not ("yolox" or "deimv2" or "rtmdet" or "picodet" or "nanodet"))
            err($"{path}.format", $"'{x.Format}' is not one of yolox, deimv2, rtmdet, picodet, nanodet");
        if (x.InputSize is { } size && (size.Count != 2 || size.Any(v => v < 32 || v % 32 != 0)))
            err($"{path}.input_size", "needs two multiples of 32: [width, height]");
        Unit($"{path}.score_threshold", x.ScoreThreshold, err);
        if (x.EveryS < 0 || double.IsNaN(x.EveryS)) err($"{path}.every_s", "must be zero (every analysed frame) or a positive number of seconds");
        if (x.Threads < 1) err($"{path}.threads", "must be at least 1");
        foreach (var (label, category) in x.CategoryMap)
            if (category is not ("weapon" or "fire" or "smoke")) err($"{path}.category_map.{label}", $"'{category}' is not weapon, fire or smoke");
        if (x.ClassNames.Count == 0) err($"{path}.class_names", "must name the model's classes in output order");
        else if (!x.ClassNames.Any(c => Perception.ExtraDetector.Keeps(Perception.ClassMaps.CategoryOf(c, SceneCompiler.Categories(x.CategoryMap)))))
            err($"{path}.class_names", "none of them is a weapon, fire or smoke: name them so, or map them with category_map");
    }

    private static void ValidateDetector(DetectorConfig d, Action<string, string> err)
    {
        if (d.Type is not ("motion" or "onnx")) err("detector.type", $"'{d.Type}' is not one of motion, onnx");
        if (d.Format is not ("yolox" or "deimv2" or "rtmdet" or "picodet" or "nanodet")) err("detector.format", $"'{d.Format}' is not one of yolox, deimv2, rtmdet, picodet, nanodet");
        if (d.Type == "onnx" && string.IsNullOrWhiteSpace(d.Model)) err("detector.model", "is required when detector.type is onnx");
        if (d.InputSize is { } size)
        {
            if (size.Count != 2) err("detector.input_size", "needs exactly two numbers: [width, height]");
            else if (size.Any(v => v < 32 || v % 32 != 0)) err("detector.input_size", "width and height must be multiples of 32, at least 32");
        }
        if (d.Tiles.Count != 2) err("detector.tiles", "needs exactly two numbers: [columns, rows]");
        else if (d.Tiles.Any(v => v is < 1 or > 8)) err("detector.tiles", "columns and rows must be 1 to 8");
        else if (d.Type == "motion" && d.Tiles.Any(v => v > 1)) err("detector.tiles", "applies to a model (detector.type onnx), not to the motion detector");
        if (d.TileOverlap is < 0 or > 0.5) err("detector.tile_overlap", "must be between 0 and 0.5");
        if (d.CountTiles.Count != 2) err("detector.count_tiles", "needs exactly two numbers: [columns, rows]");
        else if (d.CountTiles.Any(v => v is < 1 or > 8)) err("detector.count_tiles", "columns and rows must be 1 to 8");
        if (!(d.CountEveryS > 0)) err("detector.count_every_s", "must be more than 0 seconds");
        if (d.ScoreThreshold is { } s) Unit("detector.score_threshold", s, err);
        if (d.CountScoreThreshold is { } c) Unit("detector.count_score_threshold", c, err);
        Unit("detector.nms_iou", d.NmsIou, err);
        if (d.Threads < 1) err("detector.threads", "must be at least 1");
        if (d.ClassNames is { Count: 0 }) err("detector.class_names", "must list at least one class when given");
        foreach (var (label, category) in d.CategoryMap)
            if (!Categories.Contains(category)) err($"detector.category_map.{label}", $"'{category}' is not a category ({string.Join(", ", Categories)})");
    }

    /// <summary>Names go into alerts, file names, topics and the database, which refuses some characters (PostgreSQL: NUL).</summary>
    private static void ValidateName(string path, string name, HashSet<string> taken, string other, Action<string, string> err)
    {
        if (string.IsNullOrWhiteSpace(name)) err(path, "must not be empty");
        else if (name.Any(char.IsControl)) err(path, "must not contain control characters (line breaks, tabs, NUL…)");
        else if (!taken.Add(name)) err(path, $"'{name}' is used by {other}");
    }

    private static void ValidatePolygon(string path, List<List<double>> polygon, Action<string, string> err)
    {
        if (polygon.Count < 3) { err(path, $"needs at least 3 points, has {polygon.Count}"); return; }
        var ok = true;
        for (int i = 0; i < polygon.Count; i++) ok &= ValidatePoint($"{path}[{i}]", polygon[i], err);
        if (!ok) return;
        var points = polygon.Select(p => new Geometry.Point2((float)p[0], (float)p[1])).ToList();
        if (Math.Abs(Geometry.Shapes.SignedArea2(points)) < 1e-6) err(path, "has no area (its points are collinear or repeated)");
    }

    private static bool ValidatePoint(string path, List<double> point, Action<string, string> err)
    {
        if (point.Count != 2) { err(path, $"a point needs exactly 2 coordinates [x, y], has {point.Count}"); return false; }
        if (point.Any(v => double.IsNaN(v) || v < 0 || v > 1))
        {
            err(path, $"[{string.Join(", ", point.Select(v => v.ToString(CultureInfo.InvariantCulture)))}] is outside the image: coordinates are normalised to 0..1");
            return false;
        }
        return true;
    }

    private static void ValidateClasses(string path, List<string> classes, Action<string, string> err)
    {
        if (classes.Count == 0) err(path, "must list at least one category");
        foreach (var c in classes.Where(c => !Categories.Contains(c)))
            err(path, $"'{c}' is not a category ({string.Join(", ", Categories)})");
    }

    private static void ValidateSchedule(string path, List<ScheduleWindow> windows, Action<string, string> err)
    {
        for (int w = 0; w < windows.Count; w++)
        {
            var wp = $"{path}[{w}]";
            foreach (var day in windows[w].Days.Where(d => !Days.Contains(d)))
                err($"{wp}.days", $"'{day}' is not a day ({string.Join(", ", Days)})");
            if (ParseClock(windows[w].From) is null) err($"{wp}.from", $"'{windows[w].From}' is not a time of day HH:mm");
            if (ParseClock(windows[w].To) is null) err($"{wp}.to", $"'{windows[w].To}' is not a time of day HH:mm (24:00 allowed)");
        }
    }

    private static void Unit(string path, double value, Action<string, string> err)
    {
        if (double.IsNaN(value) || value < 0 || value > 1) err(path, $"{value.ToString(CultureInfo.InvariantCulture)} is outside 0..1");
    }

    /// <summary>Parses HH:mm (00:00 to 24:00) into a time since midnight.</summary>
    public static TimeSpan? ParseClock(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || parts[1].Length != 2 || h > 24 || m > 59 || (h == 24 && m != 0))
            return null;
        return new TimeSpan(h, m, 0);
    }
}
