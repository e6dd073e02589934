using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using YamlDotNet.Serialization;

namespace Vigie.Config;

// The scene configuration as users write it (YAML or JSON, snake_case keys). Defaults live here,
// next to their description, and docs/scene.schema.json is generated from these types.

[Description("A Vigie scene configuration: how video is analysed and, per camera, the zones and lines watched.")]
public sealed class SceneConfig
{
    [Description("Configuration format version; only 1 exists.")]
    public int Version { get; set; } = 1;

    [Description("The site's time zone, an IANA name such as Europe/Paris: schedules, the time stamped on clips, start times written without an offset and forensic times are on its clock, summer time included. Default: the machine's time zone (often UTC on servers and in containers).")]
    public string? TimeZone { get; set; }

    [Description("How frames are sampled from the video.")]
    public AnalysisConfig Analysis { get; set; } = new();

    [Description("Which detector finds objects in each analysed frame.")]
    public DetectorConfig Detector { get; set; } = new();

    [Description("Optional crowd-counting model (density map) for crowd_density: in crowds too dense for a detector's boxes it counts the people a detector misses. Unset: detections plus the foreground estimate.")]
    public CrowdCounterConfig? CrowdCounter { get; set; }

    [Description("Further detector models run beside the main one for what it lacks: weapons (a handgun model), fire and smoke. Only their weapon, fire and smoke classes are kept; they reach the weapon and fire rules with the main detector's.")]
    public List<ExtraDetectorConfig> ExtraDetectors { get; set; } = [];

    [Description("Multi-object tracker settings (ByteTrack-style).")]
    public TrackerConfig Tracker { get; set; } = new();

    [Description("The live service (`vigie serve`): web console, storage, evidence, notifications. Ignored by `vigie analyze`.")]
    public ServiceConfig Service { get; set; } = new();

    [Description("The cameras of this scene. `vigie analyze` uses the first one unless --camera names another; `vigie serve` runs them all.")]
    public List<CameraConfig> Cameras { get; set; } = [];

    /// <summary>
    /// Every shared setting (analysis, models, tracker, service) with this camera as the only one: a copy made
    /// here, so a setting added later reaches one-camera runs (a service camera, an evaluated clip) unasked.
    /// </summary>
    /// <summary>The site's clock: <see cref="TimeZone"/>, else the machine's (a validated configuration names a known zone).</summary>
    public TimeZoneInfo SiteZone() => TimeZone is { } id ? SiteTime.Find(id) ?? TimeZoneInfo.Local : TimeZoneInfo.Local;

    public SceneConfig WithOnlyCamera(CameraConfig camera)
    {
        var copy = (SceneConfig)MemberwiseClone();
        copy.Cameras = [camera];
        return copy;
    }
}

public sealed class AnalysisConfig
{
    [Description("Frames analysed per second of video (frames/s). 0 analyses every frame. Default 5.")]
    public double Fps { get; set; } = 5;

    [Description("Frames wider than this are scaled down by the decoder before analysis (pixels). 0 keeps the source width.")]
    public int MaxWidth { get; set; } = 1280;

    [Description("For a folder of images: how many images make one second (images/s).")]
    public double ImagesFps { get; set; } = 1;

    [Description("A live source that delivers no frame for this long is treated as dead (seconds).")]
    public double StallTimeoutS { get; set; } = 10;
}

public sealed class DetectorConfig
{
    [Description("'motion' (model-free background subtraction, the default) or 'onnx' (a model file).")]
    [AllowedValues("motion", "onnx")]
    public string Type { get; set; } = "motion";

    /// <summary>A model detects (people, bags, vehicles, weapons…), rather than the motion detector, which finds moving things only.</summary>
    [JsonIgnore, YamlIgnore]
    public bool IsModel => Type == "onnx";

    [Description("Path to the ONNX model file (type onnx). Relative paths are resolved from the config file's folder.")]
    public string? Model { get; set; }

    [Description("Output format of the model: yolox, deimv2, rtmdet, picodet or nanodet. See docs/MODELS.md.")]
    [AllowedValues("yolox", "deimv2", "rtmdet", "picodet", "nanodet")]
    public string Format { get; set; } = "yolox";

    [Description("Network input size [width, height] in pixels. Default: 416x416 for yolox and deimv2, 640x640 for rtmdet.")]
    public List<int>? InputSize { get; set; }

    [Description("Letterboxed models (yolox, rtmdet) run on the frame's own shape, rounded up to 32 pixels plus 32 pixels of padding, instead of the whole input_size square: a 16:9 frame then costs about 30 % less, at the same scale. A model exported for a fixed size is tried with its size freed and keeps it if that fails. false runs on the whole square.")]
    public bool TrimPadding { get; set; } = true;

    [Description("Detections scoring below this are discarded (0..1). Default 0.3 (0.45 for deimv2).")]
    public double? ScoreThreshold { get; set; }

    [Description("Boxes of the same class overlapping more than this IoU are merged by NMS (0..1).")]
    public double NmsIou { get; set; } = 0.45;

    [Description("Also run the model on overlapping tiles of the frame, [columns, rows], e.g. [2, 2]: small, far people (crowds) are found, at the price of 1 + columns × rows model runs per frame. Default [1, 1]: the whole frame only.")]
    public List<int> Tiles { get; set; } = [1, 1];

    [Description("Fraction of a tile shared with its neighbour (0..0.5); should exceed the width of a person in the picture, so everyone lies whole in some tile.")]
    public double TileOverlap { get; set; } = 0.2;

    [Description("For crowd_density without tiles or a crowd_counter: once every count_every_s, people are also counted with the model on the whole frame and on these overlapping tiles [columns, rows], which finds far people a single pass misses (tracking still uses the whole frame). [1, 1] turns this counting pass off.")]
    public List<int> CountTiles { get; set; } = [2, 2];

    [Description("Seconds between two counting passes (count_tiles).")]
    public double CountEveryS { get; set; } = 1;

    [Description("Score from which the counting pass counts a person (0..1). Default: two thirds of score_threshold (0.2 for yolox, 0.3 for deimv2): in a crowd most people are partly hidden and scored low, and a count wants them, where an alert about one person wants certainty.")]
    public double? CountScoreThreshold { get; set; }

    [Description("Where someone fell or is going down (person_down), look again with that spot of the picture turned a quarter each way: lying people, whom the model often misses or finds in pieces, stand upright there. Two more model runs on a small crop per such spot and frame, and only then. false turns it off.")]
    public bool LyingLook { get; set; } = true;

    [Description("CPU threads for inference.")]
    public int Threads { get; set; } = 1;

    [Description("Class names in the model's output order. Default: the 80 COCO classes (person only for rtmdet).")]
    public List<string>? ClassNames { get; set; }

    [Description("Extra mapping of model class names to Vigie categories (person, vehicle, bag, weapon, animal, other), e.g. {pistol: weapon}.")]
    public Dictionary<string, string> CategoryMap { get; set; } = [];
}

public sealed class CrowdCounterConfig
{
    [Description("Path to an ONNX model whose first output is a density map summing to the number of people (DM-Count, CSRNet and alike; see docs/MODELS.md). Relative paths are resolved from the config file's folder.")]
    public string? Model { get; set; }

    [Description("Network input size [width, height] in pixels, multiples of 8; a model with a fixed input needs exactly its size.")]
    public List<int> InputSize { get; set; } = [640, 360];

    [Description("Run the model at most once per this many seconds of video, the map serving until the next run (seconds); 0 runs it on every analysed frame. Crowd models are heavy and a crowd changes slowly.")]
    public double EveryS { get; set; } = 1;

    [Description("CPU threads for inference.")]
    public int Threads { get; set; } = 1;
}

public sealed class ExtraDetectorConfig
{
    [Description("Path to the ONNX detector (relative paths are resolved from the config file's folder). See docs/MODELS.md.")]
    public string? Model { get; set; }

    [Description("Output format of the model: yolox, deimv2, rtmdet, picodet or nanodet.")]
    [AllowedValues("yolox", "deimv2", "rtmdet", "picodet", "nanodet")]
    public string Format { get; set; } = "yolox";

    [Description("Network input size [width, height] in pixels. Default: 416x416 (640x640 for rtmdet).")]
    public List<int>? InputSize { get; set; }

    [Description("Class names in the model's output order. Known labels: gun, handgun, pistol, rifle, knife (weapon), fire, flame, flames (fire), smoke; map others with category_map.")]
    public List<string> ClassNames { get; set; } = [];

    [Description("Mapping of other labels to weapon, fire or smoke, e.g. {revolver: weapon}. Classes of no such category are ignored.")]
    public Dictionary<string, string> CategoryMap { get; set; } = [];

    [Description("Detections scoring below this are ignored (0..1).")]
    public double ScoreThreshold { get; set; } = 0.4;

    [Description("Run the model at most once per this many seconds of video, its last answer serving in between (seconds); 0 runs it on every analysed frame.")]
    public double EveryS { get; set; }

    [Description("CPU threads for inference.")]
    public int Threads { get; set; } = 1;
}

public sealed class TrackerConfig
{
    [Description("Detections at or above this score are associated first (0..1).")]
    public double HighThreshold { get; set; } = 0.5;

    [Description("Detections below this score are ignored; between this and high_threshold they only continue tracks (0..1). The model returns boxes down to this score; those under detector.score_threshold reach only the tracker.")]
    public double LowThreshold { get; set; } = 0.1;

    [Description("Minimum score for a detection to start a new track (0..1).")]
    public double NewTrackThreshold { get; set; } = 0.6;

    [Description("Minimum overlap (IoU) between a track's predicted box and a detection to associate them (0..1).")]
    public double MatchIou { get; set; } = 0.2;

    [Description("How long a track that is no longer detected is kept before it ends (seconds).")]
    public double LostBufferS { get; set; } = 2;

    [Description("Measure the camera's own motion (pan, tilt, zoom, shake) by matching background corners between frames and take it out of the tracks, so a moving view is not read as everyone moving. Off saves about 1 ms per analysed frame on a camera that never moves.")]
    public bool FollowCamera { get; set; } = true;
}

public sealed class CameraConfig
{
    [Description("A unique camera name, used in events and reports.")]
    public string Name { get; set; } = "camera";

    [Description("Video source: a file path, an rtsp:// or http(s):// URL, or a folder of images. The command line may override it.")]
    public string? Source { get; set; }

    [Description("For a file source under `vigie serve`: play it again from the start when it ends (demos).")]
    public bool Loop { get; set; }

    [Description("Clock time of the first frame of a recording (ISO 8601: 2026-11-20T14:00:00, on the site's clock, or with an offset: 2026-11-20T14:00:00+01:00), for schedules and reports. Default: the file's creation_time tag, else now.")]
    public string? StartTime { get; set; }

    /// <summary><see cref="StartTime"/> as an instant (a validated configuration's parses).</summary>
    public DateTimeOffset? StartClock(TimeZoneInfo site) => StartTime is { } text ? SiteTime.Parse(text, site) : null;

    [Description("Ground-plane calibration: four image points and their positions in metres. Enables metres and persons/m².")]
    public CalibrationConfig? Calibration { get; set; }

    [Description("Use cases watched on the whole image (no zone needed), with their thresholds.")]
    public ZoneUseCases UseCases { get; set; } = new();

    [Description("Polygons watched on this camera, in normalised image coordinates (0..1, origin top-left).")]
    public List<ZoneConfig> Zones { get; set; } = [];

    [Description("Directed lines watched on this camera, in normalised image coordinates.")]
    public List<LineConfig> Lines { get; set; } = [];

    [Description("Areas never analysed nor shown (windows, house entrances): blacked out of every frame before analysis, so also in every snapshot, clip and preview.")]
    public List<PrivacyMaskConfig> PrivacyMasks { get; set; } = [];
}

public sealed class PrivacyMaskConfig
{
    [Description("What the mask hides, for the people reading the config (e.g. 'windows of no. 12').")]
    public string Name { get; set; } = "";

    [Description("At least 3 [x, y] points in normalised image coordinates (0..1).")]
    public List<List<double>> Polygon { get; set; } = [];
}

public sealed class ZoneConfig
{
    [Description("A unique zone name on this camera.")]
    public string Name { get; set; } = "";

    [Description("At least 3 [x, y] points in normalised image coordinates (0..1).")]
    public List<List<double>> Polygon { get; set; } = [];

    [Description("When the zone's use cases are active. Empty: always.")]
    public List<ScheduleWindow> Schedule { get; set; } = [];

    [Description("The use cases watched in this zone, each with its thresholds.")]
    public ZoneUseCases UseCases { get; set; } = new();
}

public sealed class CalibrationConfig
{
    [Description("Four [x, y] points on the ground in normalised image coordinates, no three on a line.")]
    public List<List<double>> Image { get; set; } = [];

    [Description("The same four points' [x, y] positions on the ground, in metres.")]
    public List<List<double>> GroundM { get; set; } = [];
}

public sealed class ZoneUseCases
{
    [Description("Raise an alert when a person or vehicle enters or stays in this (forbidden) zone.")]
    public IntrusionConfig? Intrusion { get; set; }

    [Description("Raise an alert when a person or vehicle moves against the zone's allowed direction.")]
    public WrongWayConfig? WrongWay { get; set; }

    [Description("Raise an alert when too many people are in the zone for too long.")]
    public CrowdDensityConfig? CrowdDensity { get; set; }

    [Description("Raise an alert on sudden collective motion: a crowd starting to run, dispersing, converging or surging.")]
    public CrowdMovementConfig? CrowdMovement { get; set; }

    [Description("Raise an alert when a person falls and stays on the ground; or, with exclude: true, never report falls here (benches, beds).")]
    public PersonDownConfig? PersonDown { get; set; }

    [Description("Raise an alert when a person holds a weapon (a detector class mapped to the weapon category).")]
    public WeaponConfig? Weapon { get; set; }

    [Description("Raise an alert on a fire start: flickering flames or persistent smoke (model-free).")]
    public FireConfig? Fire { get; set; }

    [Description("Raise an alert when a bag, suitcase or backpack (optionally any new still object) stays with nobody near it.")]
    public AbandonedObjectConfig? AbandonedObject { get; set; }
}

public sealed class AbandonedObjectConfig
{
    [Description("How long the object must stay with nobody staying near it (seconds).")]
    public double DwellS { get; set; } = 60;

    [Description("The object must have been in the same place at least this long (seconds): a bag put down for a moment is not abandoned.")]
    public double MinStillS { get; set; } = 5;

    [Description("A person closer than this many object sizes is near it: at once if not tracked, once near it for 3 s in all if tracked (people walking past do not attend it).")]
    public double OwnerRadius { get; set; } = 0.5;

    [Description("Objects already there during this first part of the analysis belong to the scene and never alert (seconds).")]
    public double WarmupS { get; set; } = 5;

    [Description("Also watch any new thing that someone put down and that stays still, whatever it is (a box, a parcel, a bag the detector does not recognise), found by a dual background model without the detector. On fixed cameras only: it learns nothing while the camera moves. Unset: on with a detection model, off with the motion detector (which cannot tell a person standing still from an object). See docs/CONFIG.md.")]
    public bool? StaticObjects { get; set; }

    [Description("Smallest still thing that counts as an object, as a share of the image area (0..1).")]
    public double MinObjectArea { get; set; } = 0.0005;

    [Description("Largest still thing that counts as an object, as a share of the image area (0..1): bigger is a vehicle, a crowd or a lighting change.")]
    public double MaxObjectArea { get; set; } = 0.05;
}

public sealed class FireConfig
{
    [Description("Smallest flame-coloured area that counts, as a share of the image (0..1).")]
    public double MinFlameArea { get; set; } = 0.002;

    [Description("How much more flame pixels must flicker than the rest of the image (ratio). Higher rejects more lights and clothes.")]
    public double MinFlicker { get; set; } = 2.5;

    [Description("Smallest area of rising grey haze that counts, as a share of the image (0..1): haze that fades the background's edges where they showed calmly before, and rises. Unset: smoke alone never alerts (the model-free smoke cue is experimental; a fire/smoke model is better).")]
    public double? MinSmokeArea { get; set; }

    [Description("When set, flames must also have grown by this share of their first area before the alert (0.5 = half as big again): only fires starting, not a steady warm flicker (a screen). Unset: no growth needed.")]
    public double? MinGrowth { get; set; }

    [Description("Flames must be seen this long before the alert, dips of up to 0.5 s allowed (seconds).")]
    public double DwellS { get; set; } = 2;

    [Description("Smoke must be seen this long (gaps up to 1 s), rising on average and over the same place on at least half the frames, before the alert (seconds).")]
    public double SmokeDwellS { get; set; } = 6;
}

public sealed class PersonDownConfig
{
    [Description("true: people lying here are never reported (benches, beds, lawns). false: falls here are watched.")]
    public bool Exclude { get; set; }

    [Description("How long the person must stay on the ground after the fall (seconds).")]
    public double DownS { get; set; } = 2;

    [Description("Longest time from upright to lying that is a fall; slower is sitting or lying down (seconds).")]
    public double MaxFallS { get; set; } = 2;
}

public sealed class WeaponConfig
{
    [Description("Analysed frames in which the weapon must be seen on the person, within window_s.")]
    public int MinFrames { get; set; } = 3;

    [Description("The window in which min_frames sightings are counted (seconds).")]
    public double WindowS { get; set; } = 2;

    [Description("Share of the weapon box that must lie on the person's box (0..1).")]
    public double MinOverlap { get; set; } = 0.3;

    [Description("The event ends when the weapon has not been seen on the person for this long (seconds).")]
    public double CooldownS { get; set; } = 5;
}

public sealed class CrowdMovementConfig
{
    [Description("How many spreads above the zone's learned normal motion count as abnormal. Lower is more sensitive.")]
    public double Sensitivity { get; set; } = 4;

    [Description("The abnormal motion must last this long before the alert (seconds).")]
    public double DwellS { get; set; } = 1;

    [Description("Time spent learning the zone's normal motion before any alert (seconds).")]
    public double WarmupS { get; set; } = 5;

    [Description("Mean flow speed below which nothing is abnormal, in image fractions per second (a walk across a near view is about 0.1).")]
    public double MinSpeed { get; set; } = 0.05;

    [Description("Optional absolute limit: mean flow speed above this always alerts, even without a learned normal (image fractions per second).")]
    public double? MaxSpeed { get; set; }

    [Description("People needed in the zone during the abnormal motion for it to be a crowd's (detected on one frame; with the model-free motion detector, moving things count). 1 alerts on any sudden motion, e.g. a car.")]
    public int MinPeople { get; set; } = 3;

    [Description("A tracked person covering this many of their own heights per second is running (walking is about 0.5-1); min_people running at once alert without any learned normal. 0 turns this off.")]
    public double RunSpeed { get; set; } = 2;
}

public sealed class WrongWayConfig
{
    [Description("The allowed direction of travel [dx, dy] in image coordinates (y grows downwards), e.g. [0, -1] = up the image.")]
    public List<double> AllowedDirection { get; set; } = [];

    [Description("Categories checked: person, vehicle, bag, animal, moving, other. 'other' is in by default because detectors misname vehicles seen from above (a car as a 'cell phone'); things carried inside a person's or vehicle's box are never counted.")]
    public List<string> Classes { get; set; } = ["person", "vehicle", "moving", "other"];

    [Description("How far an object must have gone against the direction since it started going that way, as a fraction of the image (0..1), when the camera is not calibrated.")]
    public double MinDistance { get; set; } = 0.1;

    [Description("How far an object must go against the direction, in metres, when the camera is calibrated.")]
    public double MinDistanceM { get; set; } = 3;

    [Description("The movement over this last window must go against the direction: brief turns and box jitter within it cancel out (seconds). The distance may take longer to cover.")]
    public double WindowS { get; set; } = 1;

    [Description("Largest angle between the movement and the exact opposite of the allowed direction that still counts (degrees).")]
    public double MaxAngleDeg { get; set; } = 60;
}

public sealed class CrowdDensityConfig
{
    [Description("Alert above this many people in the zone.")]
    public double? MaxPersons { get; set; }

    [Description("Alert above this many persons per square metre (needs the camera's calibration).")]
    public double? MaxDensity { get; set; }

    [Description("The value must stay above its threshold this long before the alert (seconds).")]
    public double DwellS { get; set; } = 3;

    [Description("Also estimate the count from the foreground area (people the detector misses in dense crowds). Needs a fixed camera. With a crowd_counter model, the model's count takes its place.")]
    public bool ForegroundEstimate { get; set; } = true;
}

public sealed class IntrusionConfig
{
    [Description("Categories that count as intruders: person, vehicle, bag, animal, moving (motion-detector blobs), other.")]
    public List<string> Classes { get; set; } = ["person", "vehicle", "moving"];

    [Description("How long an object must stay in the zone before the alert (seconds). Filters people brushing the edge.")]
    public double DwellS { get; set; } = 0.4;

    [Description("An intruder lost for up to this long and seen again where it was lost (under a new track id) continues the same event (seconds).")]
    public double CooldownS { get; set; } = 3;
}

public sealed class LineConfig
{
    [Description("A unique line name on this camera.")]
    public string Name { get; set; } = "";

    [Description("Start point [x, y] of the line, normalised (0..1).")]
    public List<double> From { get; set; } = [];

    [Description("End point [x, y] of the line, normalised (0..1).")]
    public List<double> To { get; set; } = [];

    [Description("Which crossing raises an intrusion alert, seen from 'from' looking at 'to': left_to_right, right_to_left, both, or none (a line only counted and indexed for forensic search).")]
    [AllowedValues("left_to_right", "right_to_left", "both", "none")]
    public string Forbidden { get; set; } = "both";

    [Description("Categories whose crossing counts: person, vehicle, bag, animal, moving, other.")]
    public List<string> Classes { get; set; } = ["person", "vehicle", "moving"];

    [Description("The same track crossing again within this time raises no new alert (seconds).")]
    public double CooldownS { get; set; } = 5;

    [Description("When the line is watched. Empty: always.")]
    public List<ScheduleWindow> Schedule { get; set; } = [];
}

public sealed class ScheduleWindow
{
    [Description("Days of the week (mon, tue, wed, thu, fri, sat, sun). Empty: every day.")]
    public List<string> Days { get; set; } = [];

    [Description("Start of the window, HH:mm, on the site's clock (time_zone).")]
    public string From { get; set; } = "00:00";

    [Description("End of the window, HH:mm; earlier than 'from' means the window runs past midnight.")]
    public string To { get; set; } = "24:00";
}
