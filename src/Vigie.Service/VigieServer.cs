using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigie.Perception;
using Vigie.Service.Alerts;
using Vigie.Service.Api;
using Vigie.Service.Cameras;
using Vigie.Service.Evidence;
using Vigie.Service.Forensics;
using Vigie.Service.Governance;
using Vigie.Service.Notifications;
using Vigie.Service.Security;
using Vigie.Service.Storage;
using Vigie.Video;

namespace Vigie.Service;

/// <summary>`vigie serve`: every camera's pipeline, storage, evidence, notifications, the REST API and the console, in one process.</summary>
public static class VigieServer
{
    /// <summary>
    /// The background services that failed (an exception out of their loop). .NET 10's host stops when one does but
    /// reports a normal stop; the process must exit with a failure so that its service manager restarts it.
    /// </summary>
    public static IReadOnlyList<(string Service, Exception Error)> Failures(IEnumerable<IHostedService> services) =>
        [.. services.OfType<BackgroundService>().Where(s => s.ExecuteTask is { IsFaulted: true })
            .Select(s => (s.GetType().Name, s.ExecuteTask!.Exception!.GetBaseException()))];

    public static async Task<WebApplication> BuildAsync(ServiceSettings settings, Action<ILoggingBuilder>? logging = null, CancellationToken ct = default)
    {
        var service = settings.Config.Service;
        // Before the database: a second service would otherwise run its migrations and start its cameras first.
        var folderLock = DataFolderLock.Take(service.DataFolder, $"vigie serve on {service.Listen}");
        Database? opened = null;
        FaceDetector? faces;
        try
        {
            opened = await Database.OpenAsync(service.Storage, service.DataFolder, ct);
            faces = service.Evidence.FaceModel is { } model ? new FaceDetector(model) : null;
        }
        catch
        {
            if (opened is not null) await opened.DisposeAsync();
            folderLock.Dispose();
            throw;
        }
        var db = opened;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(service.Listen);
        builder.Logging.ClearProviders();
        if (logging is null) builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        else logging(builder.Logging);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddOutputCache();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Vigie API";
            doc.Info.Description = "Alerts, evidence, reviews and cameras of a Vigie service. The web console uses only this API.";
            return Task.CompletedTask;
        }));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestDetails>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(_ => db);
        builder.Services.AddSingleton(_ => folderLock);
        builder.Services.AddSingleton<AlertStore>();
        builder.Services.AddSingleton(service.Security);
        builder.Services.AddSignInLimit(service.Security);
        builder.Services.AddSingleton(service.Retention);
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<AuthorisationStore>();
        builder.Services.AddSingleton(_ => new AuditLog(db, service.DataFolder));
        builder.Services.AddAuthentication(SessionAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthentication>(SessionAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            // Anything not explicitly opened needs a signed-in user: a new endpoint is never public by mistake.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicies();
        builder.Services.AddSingleton(service.Evidence);
        builder.Services.AddSingleton(sp => new EvidenceRecorder(service.DataFolder, service.Evidence.MaxWidth, new PrivacyFilter(faces),
            settings.Config.SiteZone(), sp.GetRequiredService<ILogger<EvidenceRecorder>>()));
        if (faces is not null) builder.Services.AddSingleton(_ => faces);
        builder.Services.AddSingleton(sp =>
        {
            var cases = new ForensicCases(service.ForensicFolder ?? Path.Combine(service.DataFolder, "forensic"),
                new PrivacyFilter(faces), sp.GetRequiredService<ILogger<ForensicCases>>());
            cases.RemoveUnfinishedVideos();
            return cases;
        });
        builder.Services.AddSingleton<CaseSynopses>();
        builder.Services.AddSingleton<AlertFeed>();
        // First: the configuration in force is in the audit log before anything the service does.
        builder.Services.AddHostedService<ConfigurationRecord>();
        builder.Services.AddSingleton<FreeSpaceGuard>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FreeSpaceGuard>());
        // Hosted services start in this order and stop in reverse: notifications listen before the alert desk stores anything
        // (the alerts kept from the last stop among them) and go on until it has stored its last; the cameras stop first,
        // closing their events.
        if (service.Notifications.Mqtt is { } mqtt)
            builder.Services.AddHostedService(sp => new MqttPublisher(mqtt, sp.GetRequiredService<AlertFeed>(), sp.GetRequiredService<ILogger<MqttPublisher>>()));
        if (service.Notifications.Webhooks.Count > 0)
        {
            builder.Services.AddSingleton(_ => new HttpClient { Timeout = TimeSpan.FromSeconds(10) });
            foreach (var hook in service.Notifications.Webhooks)
                builder.Services.AddHostedService(sp => new WebhookSender(hook, sp.GetRequiredService<AlertFeed>(), sp.GetRequiredService<HttpClient>(),
                    sp.GetRequiredService<ILogger<WebhookSender>>()));
        }
        builder.Services.AddSingleton<AlertDesk>();
        if (service.MetricsToken is not null)
        {
            // Before the alert desk: it counts every alert raised.
            builder.Services.AddSingleton<ServiceMetrics>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ServiceMetrics>());
        }
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertDesk>());
        builder.Services.AddSingleton<CameraSupervisor>();
        builder.Services.AddSingleton<PublicFigures>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CameraSupervisor>());
        builder.Services.AddSingleton<RetentionPurge>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionPurge>());

        var app = builder.Build();
        // Made by the container (resolved now), so that disposing the service releases the folder.
        app.Services.GetRequiredService<DataFolderLock>();
        // Synopses asked for before the service last stopped are made now (and half-made videos removed).
        app.Services.GetRequiredService<CaseSynopses>().ResumeUnfinished();
        // With no proxy listed ASP.NET would believe every sender's headers: none are read then.
        if (service.TrustedProxies.Count > 0) app.UseForwardedHeaders(ForwardedFrom(service.TrustedProxies));
        app.Use(ResponseHeaders.AddAsync);
        app.UseExceptionHandler();
        var console = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "Console", "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = console });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = console });
        app.UseRateLimiter();
        app.UseOutputCache();
        app.UseAuthentication();
        app.UseAuthorization();
        // Anyone may read the API's description, and making it costs about 8 ms of a core: made once, as it never changes
        // while the service runs (4 clients asking without pause took half a core from the cameras).
        app.MapOpenApi("/openapi/v1.json").AllowAnonymous().CacheOutput(p => p.Expire(TimeSpan.FromDays(1)));
        ServiceHealth.Map(app, settings.Config.SiteZone());
        ServiceMetrics.Map(app, service.MetricsToken);
        SessionEndpoints.Map(app);
        UserEndpoints.Map(app);
        AlertEndpoints.Map(app);
        CameraEndpoints.Map(app);
        GovernanceEndpoints.Map(app);
        ForensicEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// Behind the TLS reverse proxy the service is meant to run behind, each request comes from the proxy over plain HTTP:
    /// the user's address (audited at sign-in) and the HTTPS their browser used (which marks the session cookie Secure)
    /// are in the proxy's X-Forwarded-For and X-Forwarded-Proto, believed from the listed proxies only.
    /// </summary>
    private static ForwardedHeadersOptions ForwardedFrom(IEnumerable<string> proxies)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies) options.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
        return options;
    }
}
