using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Vigie.Config;

/// <summary>The configuration is unusable; <see cref="Errors"/> lists every problem with its path.</summary>
public sealed class ConfigException(string source, IReadOnlyList<string> errors)
    : Exception($"invalid configuration {source}:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>Reads YAML or JSON (JSON is YAML) into <see cref="SceneConfig"/>, rejecting unknown keys.</summary>
public static class ConfigLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static SceneConfig LoadFile(string path)
    {
        if (!File.Exists(path)) throw new ConfigException(path, ["file not found"]);
        var config = Parse(File.ReadAllText(path), path);
        ResolveRelativePaths(config, Path.GetDirectoryName(Path.GetFullPath(path))!);
        return config;
    }

    public static SceneConfig Parse(string text, string sourceName = "(text)")
    {
        SceneConfig? config;
        try
        {
            config = Deserializer.Deserialize<SceneConfig>(text);
        }
        catch (YamlException e)
        {
            throw new ConfigException(sourceName, [Describe(e, text)]);
        }
        config ??= new SceneConfig();
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0) throw new ConfigException(sourceName, errors);
        return config;
    }

    private static void ResolveRelativePaths(SceneConfig config, string folder)
    {
        if (config.Detector.Model is { } model && !Path.IsPathRooted(model))
            config.Detector.Model = Path.GetFullPath(Path.Combine(folder, model));
        foreach (var extra in config.ExtraDetectors)
            if (extra.Model is { } path && !Path.IsPathRooted(path))
                extra.Model = Path.GetFullPath(Path.Combine(folder, path));
        if (config.CrowdCounter?.Model is { } counter && !Path.IsPathRooted(counter))
            config.CrowdCounter.Model = Path.GetFullPath(Path.Combine(folder, counter));
        config.Service.DataFolder = Path.GetFullPath(Path.Combine(folder, config.Service.DataFolder));
        config.Service.ForensicFolder = config.Service.ForensicFolder is { } cases
            ? Path.GetFullPath(Path.Combine(folder, cases))
            : Path.Combine(config.Service.DataFolder, "forensic");
        if (config.Service.Evidence.FaceModel is { } face && !Path.IsPathRooted(face))
            config.Service.Evidence.FaceModel = Path.GetFullPath(Path.Combine(folder, face));
        if (config.Service.Storage is { Type: "sqlite", Connection: { } db } && !Path.IsPathRooted(db))
            config.Service.Storage.Connection = Path.GetFullPath(Path.Combine(folder, db));
        foreach (var camera in config.Cameras)
            if (camera.Source is { } s && !s.Contains("://") && !Path.IsPathRooted(s))
                camera.Source = Path.GetFullPath(Path.Combine(folder, s));
    }

    /// <summary>
    /// YamlDotNet nests the useful message (unknown key, bad number) inside wrappers, and gives a position
    /// only: the error names the field too (cameras[0].zones[1].use_cases.intrusion.dwell_s) and says what
    /// was expected.
    /// </summary>
    private static string Describe(YamlException e, string text)
    {
        var inner = e;
        while (inner.InnerException is YamlException y) inner = y;
        var message = inner.InnerException?.Message ?? inner.Message;
        if (message.Contains("not found on type", StringComparison.Ordinal) || message.Contains("Property '", StringComparison.Ordinal))
        {
            var start = message.IndexOf('\'');
            var end = start >= 0 ? message.IndexOf('\'', start + 1) : -1;
            if (start >= 0 && end > start) message = $"unknown key '{message[(start + 1)..end]}'";
        }
        var field = FieldAt(text, inner.Start);
        if (field is { Value: { } value } && inner.InnerException is FormatException)
            message = message.Contains("Boolean", StringComparison.Ordinal) ? $"'{value}' is not true or false" : $"'{value}' is not a number";
        var where = $"line {inner.Start.Line}, column {inner.Start.Column}";
        return field is null ? $"{where}: {message}" : $"{field.Value.Path} ({where}): {message}";
    }

    /// <summary>The path of the key or value starting at this position of the YAML text, and the value when it is a scalar.</summary>
    private static (string Path, string? Value)? FieldAt(string text, Mark at)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException)
        {
            return null;   // not even well-formed YAML: the position is all there is
        }
        return stream.Documents.Count == 0 ? null : Find(stream.Documents[0].RootNode, "");

        (string, string?)? Find(YamlNode node, string path)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    foreach (var (key, value) in map.Children)
                    {
                        var child = path.Length == 0 ? $"{key}" : $"{path}.{key}";
                        if (SameStart(key.Start, at)) return (child, null);
                        if (Find(value, child) is { } found) return found;
                        // A nested mapping starts where its first key does: that key, found above, is the closer answer.
                        if (SameStart(value.Start, at)) return (child, (value as YamlScalarNode)?.Value);
                    }
                    break;
                case YamlSequenceNode list:
                    for (int i = 0; i < list.Children.Count; i++)
                    {
                        var child = $"{path}[{i}]";
                        if (Find(list.Children[i], child) is { } found) return found;
                        if (SameStart(list.Children[i].Start, at)) return (child, (list.Children[i] as YamlScalarNode)?.Value);
                    }
                    break;
            }
            return null;
        }
    }

    private static bool SameStart(Mark a, Mark b) => a.Line == b.Line && a.Column == b.Column;
}
