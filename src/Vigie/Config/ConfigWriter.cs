using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Vigie.Config;

/// <summary>
/// Saves what the console's zone editor drew into the configuration file. The file is rewritten from
/// the typed configuration (comments are not kept; the previous version stays beside it as .bak) and
/// only after the whole new configuration validates.
/// </summary>
public static class ConfigWriter
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    public static SceneConfig SaveCameraScene(string path, string camera, List<ZoneConfig> zones, List<LineConfig> lines, CalibrationConfig? calibration)
    {
        // Parse, not LoadFile: relative paths must stay relative in the saved file.
        var config = ConfigLoader.Parse(File.ReadAllText(path), path);
        var index = config.Cameras.FindIndex(c => c.Name == camera);
        if (index < 0) throw new ConfigException(path, [$"cameras: no camera named '{camera}'"]);
        config.Cameras[index].Zones = zones;
        config.Cameras[index].Lines = lines;
        config.Cameras[index].Calibration = calibration;
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0) throw new ConfigException($"the new scene of camera '{camera}'", errors);

        var text = $"# Saved by the Vigie console on {SiteTime.On(config.SiteZone(), DateTimeOffset.UtcNow):yyyy-MM-dd HH:mm:ss zzz}; the previous version is {Path.GetFileName(path)}.bak\n"
                   + Serializer.Serialize(config);
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Copy(path, path + ".bak", overwrite: true);
        File.Move(temp, path, overwrite: true);
        return ConfigLoader.LoadFile(path);
    }
}
