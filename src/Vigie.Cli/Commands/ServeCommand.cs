using System.CommandLine;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Vigie.Config;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Service;
using Vigie.Service.Security;
using Vigie.Service.Storage;

namespace Vigie.Cli.Commands;

/// <summary>`vigie serve`: the live service with its web console.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "Configuration with the cameras and the service section; see docs/SERVICE.md.", Required = true };
        var listen = new Option<string?>("--listen") { Description = "Address to listen on (overrides service.listen), e.g. http://127.0.0.1:8080." };
        var command = new Command("serve", "Run every configured camera live, with storage, evidence, notifications, a REST API and the web console.")
        {
            config, listen,
        };
        command.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(config)!, parse.GetValue(listen), ct));
        return command;
    }

    private static async Task<int> RunAsync(string configPath, string? listen, CancellationToken ct)
    {
        SceneConfig config;
        try
        {
            config = ServiceConfigFile.Load(configPath, listen);
        }
        catch (ConfigException e)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
        }

        if (ServiceConfigFile.Listening(new Uri(config.Service.Listen)) is { } taken)
            return AnalyzeCommand.Fail(ServiceConfigFile.InUse(taken), AnalyzeCommand.ExitFailed);
        try
        {
            await using var app = await VigieServer.BuildAsync(new ServiceSettings(config, Path.GetFullPath(configPath)), ct: ct);
            if (!await app.Services.GetRequiredService<UserStore>().AnyAdministratorAsync(ct))
                Console.Error.WriteLine($"vigie: no administrator yet; create one with: vigie user add --config {configPath} --name NAME --role administrator");
            try
            {
                await app.StartAsync(ct);
            }
            catch
            {
                // The cameras started before the web server failed (its port taken): stopped before their models are disposed.
                await app.StopAsync(CancellationToken.None);
                throw;
            }
            Console.Error.WriteLine($"vigie: console and API on {config.Service.Listen} (OpenAPI at /openapi/v1.json); {config.Cameras.Count} camera(s); "
                + $"site clock {SiteTime.Describe(config.SiteZone(), DateTimeOffset.UtcNow)}; Ctrl+C stops");
            if (SiteTime.UnstatedZone(config) is { } warning) Console.Error.WriteLine($"vigie: warning: {warning}");
            await app.WaitForShutdownAsync(ct);
            if (VigieServer.Failures(app.Services.GetServices<IHostedService>()) is [var (service, error), ..])
                return AnalyzeCommand.Fail($"the service stopped because its {service} failed: {error.Message}", AnalyzeCommand.ExitFailed);
            return AnalyzeCommand.ExitOk;
        }
        catch (DataFolderInUseException e)
        {
            return AnalyzeCommand.Fail($"{e.Message}: stop it first (two services on one data folder would each analyse every camera and store every alert twice)",
                AnalyzeCommand.ExitFailed);
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            // Taken between the check above and the start.
            return AnalyzeCommand.Fail(ServiceConfigFile.InUse(config.Service.Listen), AnalyzeCommand.ExitFailed);
        }
        catch (Exception e) when (e is StorageException or FileNotFoundException or InvalidDataException or IOException)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitFailed);
        }
    }
}
