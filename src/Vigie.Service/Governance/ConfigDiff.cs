using System.Text.Json.Nodes;

namespace Vigie.Service.Governance;

/// <summary>One setting that differs between two configurations: where (`cameras[plaza].zones[gate].polygon`), before and after.</summary>
public sealed record ConfigChange(string Path, JsonNode? Before, JsonNode? After);

/// <summary>
/// What differs between two configurations as JSON, setting by setting. Lists of named things (cameras, zones, lines) are
/// matched by name, so that a camera added first does not read as every camera changed; other lists compare whole. Pure.
/// </summary>
public static class ConfigDiff
{
    public static IReadOnlyList<ConfigChange> Between(JsonNode? before, JsonNode? after)
    {
        var changes = new List<ConfigChange>();
        Compare("", before, after, changes);
        return changes;
    }

    private static void Compare(string path, JsonNode? before, JsonNode? after, List<ConfigChange> changes)
    {
        switch (before, after)
        {
            case (JsonObject b, JsonObject a):
                foreach (var key in b.Select(p => p.Key).Union(a.Select(p => p.Key)))
                    Compare(Join(path, key), b[key], a[key], changes);
                break;
            case (JsonArray b, JsonArray a) when Named(b) is { } bNamed && Named(a) is { } aNamed:
                foreach (var name in bNamed.Keys.Union(aNamed.Keys))
                    Compare($"{path}[{name}]", bNamed.GetValueOrDefault(name), aNamed.GetValueOrDefault(name), changes);
                break;
            default:
                if (!JsonNode.DeepEquals(before, after)) changes.Add(new ConfigChange(path, before?.DeepClone(), after?.DeepClone()));
                break;
        }
    }

    /// <summary>The list's items by name, when every item is an object with a name of its own; else null.</summary>
    private static Dictionary<string, JsonNode>? Named(JsonArray list)
    {
        var named = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var item in list)
            if (item is not JsonObject o || o["name"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || !named.TryAdd(o["name"]!.GetValue<string>(), o))
                return null;
        return named;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
