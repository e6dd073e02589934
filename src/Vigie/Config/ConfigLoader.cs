using YamlDotNet.Core;
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
            throw new ConfigException(sourceName, [Describe(e)]);
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

    /// <summary>YamlDotNet nests the useful message (unknown key, bad number) inside wrappers.</summary>
    private static string Describe(YamlException e)
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
        return $"line {inner.Start.Line}, column {inner.Start.Column}: {message}";
    }
}
