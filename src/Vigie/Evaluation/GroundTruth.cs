using System.Text.Json;
using System.Text.Json.Serialization;
using Vigie.Analytics;

namespace Vigie.Evaluation;

// The ground-truth format of ../shared/data/ground_truth.json, documented in docs/GROUND_TRUTH.md.

public sealed record TruthFile(int Version, IReadOnlyList<TruthClip> Clips);

public sealed record TruthClip(string File, string? Description, TruthScene? Scene, IReadOnlyList<TruthEvent> Events)
{
    /// <summary>A clip without events is negative footage: any alert on it is a false alarm.</summary>
    [JsonIgnore]
    public bool IsNegative => Events.Count == 0;
}

public sealed record TruthScene(IReadOnlyList<TruthZone>? Zones, IReadOnlyList<TruthLine>? Lines, TruthCalibration? Calibration);

public sealed record TruthZone(
    string Name,
    IReadOnlyList<IReadOnlyList<double>> Polygon,
    IReadOnlyList<string>? UseCases,
    IReadOnlyList<double>? AllowedDirection,
    IReadOnlyDictionary<string, double>? Params);

public sealed record TruthLine(string Name, IReadOnlyList<double> From, IReadOnlyList<double> To, string? Forbidden);

public sealed record TruthCalibration(IReadOnlyList<IReadOnlyList<double>> Image, IReadOnlyList<IReadOnlyList<double>> GroundM);

/// <summary>One annotated event; <see cref="EndS"/> null means until the end of the clip.</summary>
public sealed record TruthEvent(string Kind, double StartS, double? EndS, IReadOnlyList<double>? Box, double? PlacedS, string? Note);

public static class GroundTruth
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>Reads and checks a ground-truth file; every problem is reported with its path.</summary>
    public static TruthFile Load(string path)
    {
        var file = ReadAnnotations<TruthFile>(path, "ground-truth file");
        if (file?.Clips is null) throw new InvalidDataException($"{path}: no 'clips' list");
        var errors = Validate(file);
        if (errors.Count > 0) throw new InvalidDataException($"{path}:\n  " + string.Join("\n  ", errors));
        return file;
    }

    /// <summary>Writes a ground-truth file in the format <see cref="Load"/> reads.</summary>
    public static void Save(TruthFile file, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(file, new JsonSerializerOptions(Options) { WriteIndented = true }) + "\n");

    /// <summary>Reads an annotation file (JSON, snake_case names, comments allowed); null when it holds `null`.</summary>
    internal static T? ReadAnnotations<T>(string path, string what) where T : class
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: no such file");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a {what}: {e.Message}", e);
        }
    }

    /// <summary>
    /// What of the truth scenes cannot be used: zone parameters that no use case of their zone has (a misspelt
    /// name, a limit on a use case the zone does not watch), a wrong-way zone without its direction. The
    /// evaluation runs without them and says so. The file must have passed <see cref="Validate"/>.
    /// </summary>
    public static IReadOnlyList<string> Unused(TruthFile file)
    {
        var unused = new List<string>();
        for (int c = 0; c < file.Clips.Count; c++)
            Evaluator.CameraFor(file.Clips[c], problem => unused.Add($"clips[{c}].{problem}"));
        return unused;
    }

    public static IReadOnlyList<string> Validate(TruthFile file)
    {
        var errors = new List<string>();
        for (int c = 0; c < file.Clips.Count; c++)
        {
            var clip = file.Clips[c];
            if (string.IsNullOrWhiteSpace(clip.File)) errors.Add($"clips[{c}].file: must name a video");
            if (clip.Events is null) { errors.Add($"clips[{c}].events: missing (use [] for negative footage)"); continue; }
            for (int e = 0; e < clip.Events.Count; e++)
            {
                var ev = clip.Events[e];
                var p = $"clips[{c}].events[{e}]";
                if (!EventKinds.All.Contains(ev.Kind)) errors.Add($"{p}.kind: '{ev.Kind}' is not one of {string.Join(", ", EventKinds.All)}");
                if (ev.StartS < 0) errors.Add($"{p}.start_s: must be zero or more seconds");
                if (ev.EndS is { } end && end < ev.StartS) errors.Add($"{p}.end_s: ends before it starts");
            }
            foreach (var (zone, z) in (clip.Scene?.Zones ?? []).Select((zone, z) => (zone, z)))
            {
                if (zone.Polygon is null || zone.Polygon.Count < 3) errors.Add($"clips[{c}].scene.zones[{z}].polygon: needs at least 3 points");
                foreach (var kind in (zone.UseCases ?? []).Where(k => !EventKinds.All.Contains(k)))
                    errors.Add($"clips[{c}].scene.zones[{z}].use_cases: '{kind}' is not one of {string.Join(", ", EventKinds.All)}");
            }
        }
        return errors;
    }
}
