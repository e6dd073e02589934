using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Vigie.Config;
using Vigie.Service.Api;
using Vigie.Service.Notifications;
using Vigie.Service.Storage;
using Vigie.Video;

namespace Vigie.Service.Governance;

/// <summary>
/// What the service runs with goes into the audit log at each start, before any camera: `service.start` with the
/// configuration in force and its hash, and `config.change`, when it differs from the previous start's, with each setting
/// that changed. A zone edited from the console was recorded at once (`config.scene`); the file edited by hand (a camera,
/// a threshold, a schedule) was recorded nowhere. Secrets are hidden: camera passwords, the broker's password, webhook
/// secrets and the paths of their addresses, the database password. The hash is of what is shown: one of the secrets
/// would let whoever reads the log try passwords against it, so a changed secret is not seen.
/// </summary>
public sealed class ConfigurationRecord(ServiceSettings settings, AuditLog audit) : IHostedService
{
    private static readonly string Version =
        typeof(ConfigurationRecord).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public async Task StartAsync(CancellationToken ct)
    {
        var config = Shown(settings.Config);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(config.ToJsonString())));
        var previous = await audit.LastAsync(AuditActions.ServiceStart, ct) is { } last ? JsonNode.Parse(last.Detail) : null;
        await audit.AppendAsync(AuditLog.System, AuditActions.ServiceStart, "service",
            new { Version, ConfigFile = settings.ConfigPath, ConfigSha256 = sha256, Config = config }, ct);
        var previousSha256 = previous?["config_sha256"]?.GetValue<string>();
        if (previousSha256 == sha256) return;
        await audit.AppendAsync(AuditLog.System, AuditActions.ConfigChange, "config", new
        {
            PreviousSha256 = previousSha256,
            Sha256 = sha256,
            Changes = previous is null ? null : ConfigDiff.Between(previous["config"], config),
        }, ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>The configuration as the audit log shows it: every setting, secrets hidden.</summary>
    public static JsonNode Shown(SceneConfig config)
    {
        var node = JsonSerializer.SerializeToNode(config, ApiJson.Options)!;
        foreach (var camera in node["cameras"]!.AsArray())
            if (camera?["source"]?.GetValue<string>() is { } source) camera["source"] = Credentials.Hidden(source);
        var service = node["service"]!;
        if (service["notifications"]?["mqtt"] is JsonObject { } mqtt && mqtt["password"] is not null) mqtt["password"] = "***";
        foreach (var webhook in service["notifications"]?["webhooks"]?.AsArray() ?? [])
        {
            webhook!["url"] = WebhookSender.Shown(webhook["url"]!.GetValue<string>());
            webhook["secret"] = "***";
        }
        if (config.Service.Storage is { Type: "postgres", Connection: { } connection })
            service["storage"]!["connection"] = Database.WithoutPassword(connection);
        return node;
    }
}
