using System.Net;
using System.Net.Sockets;
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

    public static string InUse(string listen) =>
        $"{listen} is already in use: another program (often another vigie serve on this configuration) listens there; "
        + "stop it, or choose another address with service.listen or --listen.";

    /// <summary>
    /// The address when another program already listens on its port, found before anything starts: the web server would
    /// find it only after the cameras and the database, and the host would first log its failure with a page of stack.
    /// </summary>
    public static string? Listening(Uri listen)
    {
        IPAddress? address = listen.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" => IPAddress.Any,
            var host => IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : null,
        };
        if (address is null) return null; // a host name: the web server resolves it and says so itself
        var probe = new TcpListener(address, listen.Port);
        try
        {
            probe.Start();
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return listen.GetLeftPart(UriPartial.Authority);
        }
        catch (SocketException)
        {
            return null; // not this machine's address, say: the web server's own error names it
        }
        finally
        {
            probe.Stop();
        }
    }
}
