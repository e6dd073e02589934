using Vigie.Analytics;

namespace Vigie.Config;

/// <summary>Which use cases a camera's configuration asks for, and the same camera limited to some of them.</summary>
public static class UseCaseScope
{
    /// <summary>The use cases that need no zone, line or direction: they can watch any picture as a whole.</summary>
    public static readonly IReadOnlyList<string> ZoneFree =
        [EventKinds.PersonDown, EventKinds.Weapon, EventKinds.Fire, EventKinds.AbandonedObject, EventKinds.CrowdMovement];

    /// <summary>A camera watching the whole image for the <see cref="ZoneFree"/> use cases with their defaults: what a scene without configuration watches.</summary>
    public static CameraConfig WholeImage(string name) => new()
    {
        Name = name,
        UseCases = new ZoneUseCases
        {
            PersonDown = new PersonDownConfig(),
            Weapon = new WeaponConfig(),
            Fire = new FireConfig(),
            AbandonedObject = new AbandonedObjectConfig(),
            // Compared with the picture's own learned normal, it needs no threshold either.
            CrowdMovement = new CrowdMovementConfig(),
        },
    };

    public static IReadOnlySet<string> Configured(CameraConfig camera)
    {
        var kinds = camera.Zones.Select(z => z.UseCases).Append(camera.UseCases).SelectMany(Kinds).ToHashSet();
        if (camera.Lines.Count > 0) kinds.Add(EventKinds.Intrusion); // a line crossing is an intrusion
        return kinds;
    }

    /// <summary>
    /// What the model-free motion detector (no model configured) leaves undone among these use cases: it
    /// finds moving things, not people, bags or weapons. Blind: nothing can be raised (falls, weapons, people
    /// counts unless a crowd-counting model counts them). Limited: abandoned objects, never found as a bag by
    /// its class, only as new still things when asked (people standing still among them); crowd movement,
    /// whose crowd is then any moving things, cars included. Both empty with a model. Pure.
    /// </summary>
    public static (IReadOnlyList<string> Blind, IReadOnlyList<string> Limited) WithoutAModel(SceneConfig config, IEnumerable<string> useCases)
    {
        if (config.Detector.IsModel) return ([], []);
        var asked = useCases.ToHashSet();
        string[] blind = config.CrowdCounter is null
            ? [EventKinds.PersonDown, EventKinds.Weapon, EventKinds.CrowdDensity]
            : [EventKinds.PersonDown, EventKinds.Weapon];
        string[] limited = [EventKinds.AbandonedObject, EventKinds.CrowdMovement];
        return (blind.Where(asked.Contains).ToList(), limited.Where(asked.Contains).ToList());
    }

    /// <summary>One line telling what the motion detector cannot do of these use cases; null when it does them all.</summary>
    public static string? WarningWithoutAModel(SceneConfig config, IEnumerable<string> useCases)
    {
        var (blind, limited) = WithoutAModel(config, useCases);
        if (blind.Count + limited.Count == 0) return null;
        var parts = new List<string>();
        if (blind.Count > 0) parts.Add($"{string.Join(", ", blind)} cannot raise any alert");
        if (limited.Contains(EventKinds.AbandonedObject)) parts.Add("abandoned_object sees no bag by its class (with static_objects: true it watches new still things, people standing still included)");
        if (limited.Contains(EventKinds.CrowdMovement)) parts.Add("crowd_movement takes any moving things, cars too, for its crowd");
        return "the model-free motion detector (no --model) finds moving things, not people, bags or weapons: " +
               string.Join("; ", parts) + ". Pass --model FILE (see docs/MODELS.md).";
    }

    /// <summary>
    /// A copy of the camera with only the allowed use cases: zones and lines left with nothing to watch
    /// are dropped; person-down exclusion zones stay with person_down.
    /// </summary>
    public static CameraConfig Restrict(CameraConfig camera, IReadOnlySet<string> allowed)
    {
        var zones = camera.Zones
            .Select(z => new ZoneConfig { Name = z.Name, Polygon = z.Polygon, Schedule = z.Schedule, UseCases = Only(z.UseCases, allowed) })
            .Where(z => Kinds(z.UseCases).Any())
            .ToList();
        return new CameraConfig
        {
            Name = camera.Name,
            Source = camera.Source,
            Loop = camera.Loop,
            StartTime = camera.StartTime,
            Calibration = camera.Calibration,
            UseCases = Only(camera.UseCases, allowed),
            Zones = zones,
            Lines = allowed.Contains(EventKinds.Intrusion) ? camera.Lines : [],
            PrivacyMasks = camera.PrivacyMasks,
        };
    }

    private static IEnumerable<string> Kinds(ZoneUseCases u)
    {
        if (u.AbandonedObject is not null) yield return EventKinds.AbandonedObject;
        if (u.Weapon is not null) yield return EventKinds.Weapon;
        if (u.WrongWay is not null) yield return EventKinds.WrongWay;
        if (u.Intrusion is not null) yield return EventKinds.Intrusion;
        if (u.PersonDown is not null) yield return EventKinds.PersonDown;
        if (u.CrowdMovement is not null) yield return EventKinds.CrowdMovement;
        if (u.CrowdDensity is not null) yield return EventKinds.CrowdDensity;
        if (u.Fire is not null) yield return EventKinds.Fire;
    }

    private static ZoneUseCases Only(ZoneUseCases u, IReadOnlySet<string> allowed) => new()
    {
        AbandonedObject = allowed.Contains(EventKinds.AbandonedObject) ? u.AbandonedObject : null,
        Weapon = allowed.Contains(EventKinds.Weapon) ? u.Weapon : null,
        WrongWay = allowed.Contains(EventKinds.WrongWay) ? u.WrongWay : null,
        Intrusion = allowed.Contains(EventKinds.Intrusion) ? u.Intrusion : null,
        PersonDown = allowed.Contains(EventKinds.PersonDown) ? u.PersonDown : null,
        CrowdMovement = allowed.Contains(EventKinds.CrowdMovement) ? u.CrowdMovement : null,
        CrowdDensity = allowed.Contains(EventKinds.CrowdDensity) ? u.CrowdDensity : null,
        Fire = allowed.Contains(EventKinds.Fire) ? u.Fire : null,
    };
}
