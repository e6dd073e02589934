using Vigie.Config;
using Vigie.Service.Governance;
using Vigie.Service.Storage;

namespace Vigie.Cli.Commands;

/// <summary>The configuration `vigie serve` runs with, loaded and validated the same way by every command that works on its data.</summary>
internal static class ServiceConfigFile
{
    public static SceneConfig Load(string path, string? listen = null)
    {
        var config = ConfigLoader.LoadFile(path);
        if (listen is not null) config.Service.Listen = listen;
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0) throw new ConfigException(listen is null ? path : "--listen", errors);
        if (config.Cameras.Count == 0) throw new ConfigException(path, ["cameras: the service needs at least one camera"]);
        var sourceless = config.Cameras.FindIndex(c => string.IsNullOrWhiteSpace(c.Source));
        if (sourceless >= 0) throw new ConfigException(path, [$"cameras[{sourceless}].source: a served camera needs a source"]);
        return config;
    }

    /// <summary>
    /// Loads the configuration, opens the service's database and runs <paramref name="work"/> on them:
    /// an invalid configuration exits 2, an unusable database 1, each with its message.
    /// </summary>
    public static async Task<int> WithDataAsync(string path, Func<SceneConfig, Database, AuditLog, Task<int>> work, CancellationToken ct)
    {
        SceneConfig config;
        try
        {
            config = Load(path);
        }
        catch (ConfigException e)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
        }
        try
        {
            Directory.CreateDirectory(config.Service.DataFolder);
            await using var db = await Database.OpenAsync(config.Service.Storage, config.Service.DataFolder, ct);
            return await work(config, db, new AuditLog(db, config.Service.DataFolder));
        }
        catch (StorageException e)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitFailed);
        }
    }

    /// <summary>Who acts from the command line, as the audit log names them.</summary>
    public static string Actor => $"cli:{Environment.UserName}";
}
