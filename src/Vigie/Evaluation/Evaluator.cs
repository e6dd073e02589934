using Microsoft.Extensions.Logging;
using Vigie.Analytics;
using Vigie.Config;
using Vigie.Pipeline;
using Vigie.Video;
using YamlDotNet.Serialization.NamingConventions;

namespace Vigie.Evaluation;

/// <summary>
/// Runs the pipeline on every clip of a ground-truth file, exactly as `vigie analyze` would, and matches
/// its alerts to the annotated events. A clip that cannot be read is reported, not fatal.
/// </summary>
public static class Evaluator
{
    public sealed record ClipRun(ClipOutcome Outcome, IReadOnlyList<SceneEvent> Alerts);

    /// <param name="baseConfig">Analysis, detector and tracker settings. Each clip's scene comes from the truth file; a clip
    /// without one is watched by the configuration's camera when it has exactly one, else by the default use cases on the
    /// whole image (<see cref="UseCaseScope.WholeImage"/>), as `vigie analyze FILE` would.</param>
    public static async Task<IReadOnlyList<ClipRun>> RunAsync(string truthPath, TruthFile truth, SceneConfig baseConfig,
        Action<string> progress, ILogger logger, CancellationToken ct)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(truthPath))!;
        var runs = new List<ClipRun>();
        for (int i = 0; i < truth.Clips.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var clip = truth.Clips[i];
            var path = Path.Combine(folder, clip.File);
            var started = DateTime.UtcNow;
            var run = await RunClipAsync(path, clip, baseConfig, logger, ct);
            runs.Add(run);
            var o = run.Outcome;
            var tp = o.Match.Alerts.Count(a => a.Outcome == Outcome.TruePositive);
            progress($"[{i + 1}/{truth.Clips.Count}] {clip.File}: {o.DurationS:0.0} s in {(DateTime.UtcNow - started).TotalSeconds:0.0} s, " +
                     $"{o.Match.Alerts.Count} alert(s), {tp}/{clip.Events.Count} event(s) found" + (o.Error is null ? "" : $", error: {o.Error}"));
        }
        return runs;
    }

    private static async Task<ClipRun> RunClipAsync(string path, TruthClip clip, SceneConfig baseConfig, ILogger logger, CancellationToken ct)
    {
        var config = baseConfig.WithOnlyCamera(clip.Scene is null && baseConfig.Cameras is [var given] ? given : CameraFor(clip));
        var collector = new AlertCollector();
        string? error = null;
        double duration = 0;
        try
        {
            await using var prepared = await AnalysisSetup.PrepareAsync(new AnalysisRequest(path, config), logger, ct);
            var result = await prepared.Pipeline.RunAsync(collector, ct);
            duration = prepared.Source.Info.Duration?.TotalSeconds ?? result.LastTimestamp.TotalSeconds;
            error = result.Problem;
        }
        catch (Exception e) when (e is VideoSourceException or ConfigException or InvalidDataException or FileNotFoundException)
        {
            error = e.Message;
        }
        var alerts = collector.Alerts.Select(a => new AlertTime(a.Kind, a.RaisedAt.TotalSeconds)).ToList();
        return new ClipRun(new ClipOutcome(clip, duration, Matching.Match(clip.Events, alerts, duration), error), collector.Alerts);
    }

    /// <summary>The clip's annotated scene as a camera configuration: zones, lines and their use cases.</summary>
    /// <param name="unused">Receives what of the scene cannot be used: a zone parameter that no use case of its zone
    /// has, a wrong-way zone without its direction.</param>
    public static CameraConfig CameraFor(TruthClip clip, Action<string>? unused = null)
    {
        var name = Path.GetFileNameWithoutExtension(clip.File);
        var camera = clip.Scene is null ? UseCaseScope.WholeImage(name) : new CameraConfig { Name = name };
        foreach (var (z, index) in (clip.Scene?.Zones ?? []).Select((z, i) => (z, i)))
        {
            var zone = new ZoneConfig { Name = z.Name, Polygon = z.Polygon.Select(p => p.ToList()).ToList() };
            var useCases = z.UseCases ?? [];
            var u = zone.UseCases;
            foreach (var kind in useCases)
                switch (kind)
                {
                    case EventKinds.Intrusion: u.Intrusion = new IntrusionConfig(); break;
                    case EventKinds.WrongWay when z.AllowedDirection is { Count: 2 } direction:
                        u.WrongWay = new WrongWayConfig { AllowedDirection = direction.ToList() };
                        break;
                    case EventKinds.WrongWay:
                        unused?.Invoke($"scene.zones[{index}].allowed_direction: wrong_way needs [dx, dy]; zone '{z.Name}' is not watched for it");
                        break;
                    case EventKinds.CrowdDensity: u.CrowdDensity = new CrowdDensityConfig(); break;
                    case EventKinds.CrowdMovement: u.CrowdMovement = new CrowdMovementConfig(); break;
                    case EventKinds.AbandonedObject: u.AbandonedObject = new AbandonedObjectConfig(); break;
                    case EventKinds.PersonDown: u.PersonDown = new PersonDownConfig(); break;
                    case EventKinds.Weapon: u.Weapon = new WeaponConfig(); break;
                    case EventKinds.Fire: u.Fire = new FireConfig(); break;
                }
            foreach (var (key, value) in z.Params ?? new Dictionary<string, double>())
                if (!SetEverywhere(u, key, value))
                    unused?.Invoke($"scene.zones[{index}].params.{key}: no use case of zone '{z.Name}' "
                        + $"({string.Join(", ", useCases)}) has a number setting of that name (see docs/CONFIG.md); ignored");
            camera.Zones.Add(zone);
        }
        if (clip.Scene?.Calibration is { } cal)
            camera.Calibration = new CalibrationConfig
            {
                Image = cal.Image.Select(p => p.ToList()).ToList(),
                GroundM = cal.GroundM.Select(p => p.ToList()).ToList(),
            };
        foreach (var l in clip.Scene?.Lines ?? [])
            camera.Lines.Add(new LineConfig { Name = l.Name, From = l.From.ToList(), To = l.To.ToList(), Forbidden = l.Forbidden ?? "both" });
        return camera;
    }

    /// <summary>
    /// Sets a zone parameter of the truth file (dwell_s, max_persons, warmup_s…: the configuration's own names)
    /// on every use case of the zone that has it; false when none has it, so that a misspelt or unused
    /// parameter can be reported instead of silently leaving a setting at its default.
    /// </summary>
    private static bool SetEverywhere(ZoneUseCases useCases, string key, double value)
    {
        var set = false;
        foreach (var settings in typeof(ZoneUseCases).GetProperties().Select(p => p.GetValue(useCases)).OfType<object>())
        {
            var property = settings.GetType().GetProperties()
                .FirstOrDefault(p => p.CanWrite && UnderscoredNamingConvention.Instance.Apply(p.Name) == key);
            var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object? converted = type == typeof(double) ? value
                : type == typeof(int) && value == Math.Round(value) ? (int)value
                : type == typeof(bool) ? value != 0
                : null;
            if (converted is null) continue;
            property!.SetValue(settings, converted);
            set = true;
        }
        return set;
    }

    private sealed class AlertCollector : IAnalysisObserver
    {
        public List<SceneEvent> Alerts { get; } = [];

        public void OnEvent(EventChange change)
        {
            if (!change.Closed) Alerts.Add(change.Event);
        }
    }
}
