using System.CommandLine;
using System.Data.Common;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Vigie.Config;
using Vigie.Perception;
using Vigie.Pipeline;
using Vigie.Service.Governance;
using Vigie.Service.Notifications;
using Vigie.Service.Security;
using Vigie.Service.Storage;
using Vigie.Video;

namespace Vigie.Cli.Commands;

public enum Verdict { Ok, Warning, Error }

/// <summary>One thing `vigie check` looked at, and what it found.</summary>
public sealed record Finding(string Subject, Verdict Verdict, string Detail);

/// <summary>
/// `vigie check`: what `vigie serve` would meet with a configuration, found before it runs and without changing anything:
/// the site clock, the data folder and its disk, the database and its schema, the administrators, the address, the face
/// model, each camera (its authorisations, its models, one picture read from its source and thrown away: nothing is
/// analysed or stored) and the notification receivers (connected to, nothing sent). Safe while the service runs.
/// </summary>
public static class CheckCommand
{
    /// <summary>An authorisation ending sooner than this is reported, so that it is renewed before the camera stops.</summary>
    private static readonly TimeSpan EndingSoon = TimeSpan.FromDays(14);

    public static Command Create()
    {
        var config = new Option<string>("--config", "-c") { Description = "The service's configuration (docs/SERVICE.md).", Required = true };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for each camera's first picture and for each notification receiver.",
            DefaultValueFactory = _ => 20,
        };
        var command = new Command("check",
            "Check a service configuration before running it: data folder, database, address, models, each camera's source and " +
            "authorisations, notification receivers. Changes nothing; exit 0 when nothing is wrong (warnings allowed), 1 otherwise.")
        {
            config, timeout,
        };
        command.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(config)!, parse.GetValue(timeout), ct));
        return command;
    }

    private static async Task<int> RunAsync(string configPath, double timeoutS, CancellationToken ct)
    {
        if (!(timeoutS > 0)) return AnalyzeCommand.Fail("--timeout: must be more than 0 seconds", AnalyzeCommand.ExitBadInput);
        SceneConfig config;
        try
        {
            config = ServiceConfigFile.Load(configPath);
        }
        catch (ConfigException e)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
        }
        var found = new List<Finding>();
        var colour = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        await foreach (var finding in FindingsAsync(config, configPath, TimeSpan.FromSeconds(timeoutS), ct))
        {
            found.Add(finding);
            Print(finding, colour);
        }
        int Count(Verdict v) => found.Count(f => f.Verdict == v);
        Console.Error.WriteLine($"vigie check: {Count(Verdict.Ok)} ok, {Count(Verdict.Warning)} warning(s), {Count(Verdict.Error)} error(s)");
        return Count(Verdict.Error) > 0 ? AnalyzeCommand.ExitFailed : AnalyzeCommand.ExitOk;
    }

    /// <summary>One line each, as it is found (a camera can take the whole timeout): greppable, and coloured on a terminal.</summary>
    private static void Print(Finding f, bool colour)
    {
        var (word, style) = f.Verdict switch
        {
            Verdict.Ok => ("ok     ", "green"),
            Verdict.Warning => ("WARNING", "yellow"),
            _ => ("ERROR  ", "red"),
        };
        if (colour) AnsiConsole.MarkupLine($"[{style}]{word}[/] {Markup.Escape(f.Subject)}: {Markup.Escape(f.Detail)}");
        else Console.WriteLine($"{word} {f.Subject}: {f.Detail}");
    }

    private static async IAsyncEnumerable<Finding> FindingsAsync(SceneConfig config, string configPath, TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var service = config.Service;
        var now = DateTimeOffset.UtcNow;
        yield return new Finding("configuration", Verdict.Ok, $"{Path.GetFullPath(configPath)}: valid, {config.Cameras.Count} camera(s)");
        var site = config.SiteZone();
        yield return SiteTime.UnstatedZone(config) is { } unstated
            ? new Finding("site clock", Verdict.Warning, unstated)
            : new Finding("site clock", Verdict.Ok, SiteTime.Describe(site, now));

        var (folder, running) = DataFolder(service);
        yield return folder;
        yield return Address(service.Listen, running);

        var (database, authorisations) = await DatabaseAsync(config, configPath, ct);
        foreach (var finding in database) yield return finding;

        yield return FaceModel(service.Evidence.FaceModel);
        foreach (var camera in config.Cameras)
        {
            var allowed = UseCaseScope.Configured(camera);
            if (authorisations is not null)
            {
                var (scope, finding) = Authorised(camera, authorisations, site, now);
                allowed = scope.Allowed;
                yield return finding;
            }
            yield return await CameraAsync(config, camera, allowed, timeout, ct);
        }

        if (service.Notifications.Mqtt is { } mqtt)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            var subject = $"MQTT {mqtt.Host}:{mqtt.Port}";
            yield return await MqttPublisher.TryConnectAsync(mqtt, limit.Token) is { } why
                ? new Finding(subject, Verdict.Error, $"cannot connect: {why}; alerts would wait for it, the oldest dropped beyond 1,000")
                : new Finding(subject, Verdict.Ok, $"connected{(mqtt.Username is null ? "" : $" as {mqtt.Username}")} and left; nothing published");
        }
        foreach (var webhook in service.Notifications.Webhooks)
            yield return await WebhookAsync(webhook, timeout, ct);
    }

    private static (Finding Finding, bool Running) DataFolder(ServiceConfig service)
    {
        const string subject = "data folder";
        var folder = Path.GetFullPath(service.DataFolder);
        var existing = folder;
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing)!;
        var running = false;
        if (existing == folder)
        {
            try
            {
                using var _ = DataFolderLock.Take(folder, "vigie check");
            }
            catch (DataFolderInUseException)
            {
                running = true;
            }
        }
        try
        {
            // Written to and removed at once: the service writes its database and evidence there.
            var probe = Path.Combine(existing, $".vigie-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (new Finding(subject, Verdict.Error, $"{existing} cannot be written to by {Environment.UserName}: {e.Message}"), running);
        }
        var freeMb = new DriveInfo(existing).AvailableFreeSpace / (1024 * 1024);
        var where = existing == folder ? folder : $"{folder}: not there yet (the first start makes it), {existing}";
        var state = running ? "; a running service holds it" : "";
        if (service.Retention.MinFreeMb > 0 && freeMb < service.Retention.MinFreeMb)
            return (new Finding(subject, Verdict.Warning, $"{where}: {freeMb:N0} MB free, below retention.min_free_mb ({service.Retention.MinFreeMb:N0}): " +
                                                          $"the oldest evidence would be deleted before its time{state}"), running);
        return (new Finding(subject, Verdict.Ok, $"{where}: writable, {freeMb:N0} MB free{state}"), running);
    }

    private static Finding Address(string listen, bool running)
    {
        const string subject = "address";
        return ServiceConfigFile.Listening(new Uri(listen)) is not { } taken
            ? new Finding(subject, Verdict.Ok, $"{listen} is free")
            : running
                ? new Finding(subject, Verdict.Ok, $"{taken} in use, by the running service it seems")
                : new Finding(subject, Verdict.Error, ServiceConfigFile.InUse(taken));
    }

    /// <summary>The database as it is, and the authorisations it holds (null when it cannot be read).</summary>
    private static async Task<(List<Finding> Findings, IReadOnlyList<Authorisation>? Authorisations)> DatabaseAsync(SceneConfig config,
        string configPath, CancellationToken ct)
    {
        const string subject = "database";
        var storage = config.Service.Storage;
        var noAdministrator = new Finding("administrators", Verdict.Warning,
            $"none yet: create one with vigie user add --config {configPath} --name NAME --role administrator");
        await using var db = Database.AsIs(storage, config.Service.DataFolder);
        if (db is null)
            return ([new Finding(subject, Verdict.Ok, $"SQLite {Database.SqliteFile(storage, config.Service.DataFolder)}: made at the first start"),
                noAdministrator], []);
        try
        {
            var applied = await db.AppliedMigrationsAsync(ct);
            if (Migrations.Unknown(applied) is [var newer, ..])
                return ([new Finding(subject, Verdict.Error, $"{db.Description}: {Database.Newer(newer)}")], null);
            var pending = Migrations.Pending(applied);
            var latest = Migrations.All[^1].Version;
            if (pending.Count == Migrations.All.Count)
                return ([new Finding(subject, Verdict.Ok, $"{db.Description}: reachable, empty (Vigie's tables are made at the first start)"),
                    noAdministrator], []);
            var schema = pending.Count == 0
                ? $"schema {latest}, up to date"
                : $"schema {applied.Max()}, brought to {latest} at the next start ({string.Join("; ", pending.Select(p => p.Description))}): back it up first";
            var alerts = (await db.QueryAsync("SELECT COUNT(*) FROM alerts", r => Convert.ToInt64(r.GetValue(0)), ct))[0];
            var found = new List<Finding> { new(subject, Verdict.Ok, $"{db.Description}: reachable, {schema}, {alerts:N0} alert(s)") };
            found.Add(await new UserStore(db, config.Service.Security).AnyAdministratorAsync(ct)
                ? new Finding("administrators", Verdict.Ok, "at least one")
                : noAdministrator);
            return (found, await new AuthorisationStore(db).AllAsync(ct));
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or ArgumentException)
        {
            return ([new Finding(subject, Verdict.Error, $"{db.Description}: cannot be read: {Service.ErrorText.Of(e)}")], null);
        }
    }

    private static Finding FaceModel(string? path)
    {
        const string subject = "face model";
        if (path is null)
            return new Finding(subject, Verdict.Warning, "evidence.face_model is not set: faces are blurred only on people the detector finds (docs/MODELS.md)");
        try
        {
            using var _ = new FaceDetector(path);
            return new Finding(subject, Verdict.Ok, $"{path}: loads");
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or OpenCvSharp.OpenCVException)
        {
            return new Finding(subject, Verdict.Error, e.Message);
        }
    }

    /// <summary>What the service would analyse on this camera now (CameraScope, as the service decides), and acts that end soon.</summary>
    private static (CameraScope Scope, Finding Finding) Authorised(CameraConfig camera, IReadOnlyList<Authorisation> authorisations, TimeZoneInfo site,
        DateTimeOffset now)
    {
        var subject = $"camera {camera.Name}: authorisation";
        var scope = CameraScope.For(camera.Name, UseCaseScope.Configured(camera), authorisations, now);
        if (scope.Allowed.Count == 0)
            return (scope, new Finding(subject, Verdict.Warning,
                $"none in force covers it: it would not be analysed (record the act with vigie authorisation add, docs/GOVERNANCE.md)"));
        var covering = authorisations.Where(a => scope.Authorisations.Contains(a.Id)).ToList();
        var detail = $"{string.Join(", ", scope.Allowed.Order(StringComparer.Ordinal))} allowed by {string.Join(", ", covering.Select(a => a.Reference))}";
        var ending = covering.Where(a => a.Ends - now < EndingSoon).OrderBy(a => a.Ends).FirstOrDefault();
        if (scope.Refused.Count > 0)
            return (scope, new Finding(subject, Verdict.Warning, $"{detail}; refused, as no act covers them: {string.Join(", ", scope.Refused)}"));
        if (ending is not null)
            return (scope, new Finding(subject, Verdict.Warning, $"{detail}; {ending.Reference} ends {SiteTime.On(site, ending.Ends):yyyy-MM-dd HH:mm zzz}: renew it, or the camera stops then"));
        return (scope, new Finding(subject, Verdict.Ok, detail));
    }

    /// <summary>Its models loaded and one picture read from its source, as the service's camera starts; nothing analysed.</summary>
    private static async Task<Finding> CameraAsync(SceneConfig config, CameraConfig camera, IReadOnlySet<string> allowed, TimeSpan timeout,
        CancellationToken ct)
    {
        var subject = $"camera {camera.Name}";
        var source = Credentials.Hidden(camera.Source!);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            var request = new AnalysisRequest(null, config.WithOnlyCamera(UseCaseScope.Restrict(camera, allowed)), camera.Name, DateTimeOffset.Now);
            await using var prepared = await AnalysisSetup.PrepareAsync(request, NullLogger.Instance, limit.Token);
            await using var frames = prepared.Source.ReadFramesAsync(limit.Token).GetAsyncEnumerator(limit.Token);
            if (!await frames.MoveNextAsync())
                return new Finding(subject, Verdict.Error, $"{source}: opens but gives no picture");
            frames.Current.Dispose();
            var info = prepared.Source.Info;
            var detail = $"{source}: {info.Width}x{info.Height}, {info.Fps:0.##} fps, {info.Codec}{prepared.SourceAdjustments}; {prepared.Detector.Description}";
            return UseCaseScope.WarningWithoutAModel(config, allowed) is { } blind
                ? new Finding(subject, Verdict.Warning, $"{detail}; {blind}")
                : new Finding(subject, Verdict.Ok, detail);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Finding(subject, Verdict.Error, $"{source}: no picture within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is VideoSourceException or ConfigException or InvalidDataException or FileNotFoundException or IOException)
        {
            return new Finding(subject, Verdict.Error, Credentials.HiddenIn(e.Message, camera.Source));
        }
    }

    /// <summary>
    /// Its host and port answer a connection, and over https its certificate is one this machine trusts for that name;
    /// nothing is sent (a test alert would reach whoever reads it).
    /// </summary>
    private static async Task<Finding> WebhookAsync(WebhookConfig webhook, TimeSpan timeout, CancellationToken ct)
    {
        var subject = $"webhook {WebhookSender.Shown(webhook.Url)}";
        var uri = new Uri(webhook.Url);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(uri.Host, uri.Port, limit.Token);
            if (uri.Scheme != Uri.UriSchemeHttps)
                return new Finding(subject, Verdict.Ok, $"{uri.Host}:{uri.Port} accepts connections; nothing sent");
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = uri.Host }, limit.Token);
            return new Finding(subject, Verdict.Ok, $"{uri.Host}:{uri.Port} accepts connections, its certificate is trusted; nothing sent");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Finding(subject, Verdict.Error, $"{uri.Host}:{uri.Port}: no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException)
        {
            return new Finding(subject, Verdict.Error, $"{uri.Host}:{uri.Port}: {Service.ErrorText.Of(e)}");
        }
    }
}
