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

    public static async Task<(Database Db, AuditLog Audit)> OpenDataAsync(SceneConfig config, CancellationToken ct)
    {
        Directory.CreateDirectory(config.Service.DataFolder);
        var db = await Database.OpenAsync(config.Service.Storage, config.Service.DataFolder, ct);
        return (db, new AuditLog(db, config.Service.DataFolder));
    }

    /// <summary>Who acts from the command line, as the audit log names them.</summary>
    public static string Actor => $"cli:{Environment.UserName}";
}
