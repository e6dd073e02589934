using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Prometheus;
using Vigie.Service.Alerts;
using Vigie.Service.Cameras;
using Vigie.Service.Governance;
using Vigie.Service.Notifications;

namespace Vigie.Service.Api;

/// <summary>
/// `GET /metrics` in Prometheus's text format, for the monitoring of many cameras: each camera's state, frame rate, frames
/// analysed and dropped, reconnections and alerts by use case; alerts waiting for the database or not stored; the data
/// disk; and the process (CPU, memory, garbage collection). Only for a scraper presenting `service.metrics_token`
/// (whether a camera is down is worth knowing to someone about to walk past it); without a token there is no /metrics.
/// </summary>
public sealed class ServiceMetrics : BackgroundService
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly AlertFeed _feed;
    private readonly ChannelReader<FeedItem> _alerts;
    private readonly Counter _raised;

    public ServiceMetrics(CameraSupervisor cameras, AlertDesk desk, FreeSpaceGuard space, AlertFeed feed)
    {
        _feed = feed;
        // Listens before the alert desk starts, as the notifications do: no alert goes uncounted.
        _alerts = feed.Subscribe(1024);
        var make = Metrics.WithCustomRegistry(_registry);
        _raised = make.CreateCounter("vigie_alerts_raised_total", "Alerts raised since the service started.", "camera", "kind");
        var up = make.CreateGauge("vigie_camera_up", "1 while the camera is analysed (online), else 0.", "camera");
        var fps = make.CreateGauge("vigie_camera_fps", "Frames analysed per second over the last seconds.", "camera");
        var analysed = make.CreateCounter("vigie_camera_frames_analysed_total", "Frames analysed since the service started.", "camera");
        var dropped = make.CreateCounter("vigie_camera_frames_dropped_total", "Frames dropped because analysis fell behind.", "camera");
        var reconnects = make.CreateCounter("vigie_camera_reconnects_total", "Times the camera's stream was opened again.", "camera");
        var waiting = make.CreateGauge("vigie_alerts_waiting_for_database", "Alerts (or their ends and clips) waiting for the database.");
        var notStored = make.CreateCounter("vigie_alerts_not_stored_total", "Alerts that could not be stored at all (each is in the log).");
        var free = make.CreateGauge("vigie_data_disk_free_bytes", "Free space on the data folder's disk.");
        var paused = make.CreateGauge("vigie_evidence_paused", "1 while new alerts get no snapshot or clip for lack of disk space.");
        DotNetStats.Register(_registry);
        _registry.AddBeforeCollectCallback(() =>
        {
            foreach (var status in cameras.Workers.Select(w => w.Health.Read(DateTimeOffset.Now)))
            {
                up.WithLabels(status.Name).Set(status.State == CameraStates.Online ? 1 : 0);
                fps.WithLabels(status.Name).Set(status.Fps);
                analysed.WithLabels(status.Name).IncTo(status.FramesAnalysed);
                dropped.WithLabels(status.Name).IncTo(status.FramesDropped);
                reconnects.WithLabels(status.Name).IncTo(status.Reconnects);
            }
            waiting.Set(desk.WaitingForDatabase);
            notStored.IncTo(desk.NotStored.Count);
            var disk = space.Now();
            free.Set(disk.FreeMb * 1024d * 1024d);
            paused.Set(disk.EvidencePaused ? 1 : 0);
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var item in _alerts.ReadAllAsync(stoppingToken))
                if (item.Type == AlertFeed.Raised) _raised.WithLabels(item.Alert.Camera, item.Alert.Kind).Inc();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Service stopping.
        }
        finally
        {
            _feed.Unsubscribe(_alerts);
        }
    }

    /// <summary>Maps /metrics when a token is configured; a request without it gets 401 and nothing else.</summary>
    public static void Map(WebApplication app, string? token)
    {
        if (token is null) return;
        var expected = Encoding.UTF8.GetBytes($"Bearer {token}");
        app.MapGet("/metrics", async (HttpContext http, ServiceMetrics metrics) =>
            {
                var given = Encoding.UTF8.GetBytes(http.Request.Headers.Authorization.ToString());
                if (!CryptographicOperations.FixedTimeEquals(given, expected)) return Results.Unauthorized();
                using var text = new MemoryStream();
                await metrics._registry.CollectAndExportAsTextAsync(text, http.RequestAborted);
                return Results.Bytes(text.ToArray(), "text/plain; version=0.0.4; charset=utf-8");
            })
            .AllowAnonymous().WithTags("service")
            .WithSummary("Prometheus metrics (cameras, alerts, database, disk, process), for a scraper sending `Authorization: Bearer <service.metrics_token>`.");
    }

}
