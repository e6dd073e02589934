using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;
using YamlDotNet.Serialization.NamingConventions;

namespace Vigie.Config;

/// <summary>
/// Saves what the console's zone editor drew into the configuration file, only after the whole new configuration
/// validates, the previous version kept beside it as .bak. Only the camera's `zones`, `lines` and `calibration` are
/// rewritten; the rest of the file stays as its author wrote it. Until 2026-11-25 the whole file was written again from
/// the typed configuration: its comments went, and every default was written out (41 lines became 108 on the demo),
/// where it stayed frozen: a later Vigie's better default never reached that camera.
/// </summary>
public static class ConfigWriter
{
    private const string SavedMark = "# Saved by the Vigie console on ";

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections)
        .WithEventEmitter(next => new ShortListsOnOneLine(next))
        .Build();

    public static SceneConfig SaveCameraScene(string path, string camera, List<ZoneConfig> zones, List<LineConfig> lines, CalibrationConfig? calibration)
    {
        var text = File.ReadAllText(path);
        // Parse, not LoadFile: relative paths must stay relative in the saved file.
        var config = ConfigLoader.Parse(text, path);
        var index = config.Cameras.FindIndex(c => c.Name == camera);
        if (index < 0) throw new ConfigException(path, [$"cameras: no camera named '{camera}'"]);
        config.Cameras[index].Zones = zones;
        config.Cameras[index].Lines = lines;
        config.Cameras[index].Calibration = calibration;
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0) throw new ConfigException($"the new scene of camera '{camera}'", errors);

        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var scene = new Dictionary<string, object?> { ["zones"] = zones.Count > 0 ? zones : null, ["lines"] = lines.Count > 0 ? lines : null, ["calibration"] = calibration };
        var edited = Splice(text, newline, index, scene) is { } spliced && SameScene(spliced, path, index, config.Cameras[index]) ? spliced : Serializer.Serialize(config);
        var stamp = $"{SavedMark}{SiteTime.On(config.SiteZone(), DateTimeOffset.UtcNow):yyyy-MM-dd HH:mm:ss zzz}; the previous version is {Path.GetFileName(path)}.bak";
        edited = stamp + newline + (edited.StartsWith(SavedMark, StringComparison.Ordinal) ? edited[(edited.IndexOf('\n') + 1)..] : edited);
        var temp = path + ".tmp";
        File.WriteAllText(temp, edited);
        File.Copy(path, path + ".bak", overwrite: true);
        File.Move(temp, path, overwrite: true);
        return ConfigLoader.LoadFile(path);
    }

    /// <summary>
    /// The text with the camera's entries replaced, added after its last one, or removed (null values); null when the
    /// file is laid out in a way this does not edit (one document whose `cameras` is a block list of block mappings).
    /// An entry runs from its key's line to the next key's (or the camera's end), less the blank and comment lines
    /// before that, which belong to what follows.
    /// </summary>
    private static string? Splice(string text, string newline, int cameraIndex, IReadOnlyDictionary<string, object?> entries)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException)
        {
            return null;
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root) return null;
        var rootKeys = root.Children.ToList();
        var camerasAt = rootKeys.FindIndex(e => e.Key is YamlScalarNode { Value: "cameras" });
        if (camerasAt < 0 || rootKeys[camerasAt].Value is not YamlSequenceNode { Style: not SequenceStyle.Flow } cameras
            || cameras.Children[cameraIndex] is not YamlMappingNode { Style: not MappingStyle.Flow } camera)
            return null;

        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        static int LineOf(YamlNode node) => (int)node.Start.Line - 1;
        var cameraEnd = cameraIndex + 1 < cameras.Children.Count ? LineOf(cameras.Children[cameraIndex + 1])
            : camerasAt + 1 < rootKeys.Count ? LineOf(rootKeys[camerasAt + 1].Key)
            : lines.Count;
        var keys = camera.Children.ToList();
        var indent = new string(' ', (int)keys[0].Key.Start.Column - 1);
        (int Start, int End) Span(int k)
        {
            var end = k + 1 < keys.Count ? LineOf(keys[k + 1].Key) : cameraEnd;
            while (end > LineOf(keys[k].Key) + 1 && lines[end - 1].Trim() is "" or ['#', ..]) end--;
            return (LineOf(keys[k].Key), end);
        }
        var afterLast = Span(keys.Count - 1).End;

        var changes = new List<(int Start, int End, List<string> With)>();
        foreach (var (name, value) in entries)
        {
            var at = keys.FindIndex(e => e.Key is YamlScalarNode scalar && scalar.Value == name);
            var with = value is null ? [] : Serializer.Serialize(new Dictionary<string, object> { [name] = value })
                .Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Select(l => indent + l).ToList();
            if (at >= 0) changes.Add((Span(at).Start, Span(at).End, with));
            else if (with.Count > 0) changes.Add((afterLast, afterLast, with));
        }
        // From the bottom up, so that the line numbers above stay right; entries added after the last one go after its new text.
        foreach (var (start, end, with) in changes.OrderByDescending(c => c.Start).ThenBy(c => c.End - c.Start))
        {
            lines.RemoveRange(start, end - start);
            lines.InsertRange(start, with);
        }
        return string.Join(newline, lines);
    }

    /// <summary>The spliced text reads back as the configuration meant: a guard against a layout the splice misjudged.</summary>
    private static bool SameScene(string text, string path, int cameraIndex, CameraConfig meant)
    {
        try
        {
            var read = ConfigLoader.Parse(text, path);
            return read.Cameras.Count > cameraIndex && Serializer.Serialize(SceneOf(read.Cameras[cameraIndex])) == Serializer.Serialize(SceneOf(meant));
        }
        catch (ConfigException)
        {
            return false;
        }
    }

    private static object SceneOf(CameraConfig camera) => new { camera.Name, camera.Source, camera.Zones, camera.Lines, camera.Calibration };

    /// <summary>Lists of numbers or words on one line (`polygon: [[0.1, 0.2], …]`, `classes: [person]`), as people write them.</summary>
    private sealed class ShortListsOnOneLine(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(SequenceStartEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Type == typeof(List<double>) || eventInfo.Source.Type == typeof(List<List<double>>)
                || eventInfo.Source.Type == typeof(List<string>))
                eventInfo.Style = SequenceStyle.Flow;
            base.Emit(eventInfo, emitter);
        }
    }
}
