using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigie.Config;
using Vigie.Service.Alerts;
using Vigie.Service.Governance;

namespace Vigie.Service.Cameras;

/// <summary>
/// Runs one worker per configured camera, limited to the use cases an authorisation in force covers:
/// a camera no authorisation covers is not even opened. Checks every second, so an authorisation
/// starting, expiring or being revoked starts or stops analysis by itself; each start and each
/// refusal is written to the audit log. Restarts a camera when its zones are edited.
/// </summary>
public sealed class CameraSupervisor(ServiceSettings settings, AlertDesk desk, AuthorisationStore authorisations, AuditLog audit,
    ILogger<CameraSupervisor> logger, ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReloadEvery = TimeSpan.FromMinutes(1);
    private readonly Dictionary<string, CameraWorker> _workers = [];
    private readonly Dictionary<string, CameraScope> _scopes = [];
    private readonly SemaphoreSlim _changing = new(1);
    private readonly SceneConfig _config = settings.Config;
    private IReadOnlyList<Authorisation> _authorisations = [];
    private DateTimeOffset _loaded = DateTimeOffset.MinValue;
    private bool _checkFailing;

    public IReadOnlyList<CameraWorker> Workers
    {
        get
        {
            lock (_workers) return [.. _workers.Values];
        }
    }

    public CameraWorker? Find(string name)
    {
        lock (_workers) return _workers.GetValueOrDefault(name);
    }

    /// <summary>The camera as configured (all its zones and use cases), whatever is authorised now.</summary>
    public CameraConfig? Configured(string name) => _config.Cameras.FirstOrDefault(c => c.Name == name);

    public IReadOnlyCollection<string> CameraNames => _config.Cameras.Select(c => c.Name).ToList();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the API answers, every camera is either analysing what is authorised or shown as refused.
        await ApplyAsync(reload: true, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Repeat.EveryAsync(CheckEvery, atOnce: false, CheckAsync, e =>
        {
            // Keep the cameras as they are; an unreadable database must not stop the ones running. Said once, not every second.
            if (!_checkFailing) logger.LogError("cannot check authorisations, cameras kept as they are: {Message}", e.Message);
            _checkFailing = true;
        }, stoppingToken);

    private async Task CheckAsync(CancellationToken ct)
    {
        await ApplyAsync(reload: DateTimeOffset.UtcNow - _loaded > ReloadEvery, ct);
        if (!_checkFailing) return;
        _checkFailing = false;
        logger.LogInformation("authorisations can be checked again");
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(Workers.Select(w => w.StopAsync()));
    }

    /// <summary>Re-reads the authorisations now (after one was recorded or revoked) and applies them.</summary>
    public Task AuthorisationsChangedAsync(CancellationToken ct = default) => ApplyAsync(reload: true, ct);

    /// <summary>Saves a camera's new zones and lines to the configuration file, then restarts that camera with them.</summary>
    public async Task<CameraConfig> EditSceneAsync(string camera, List<ZoneConfig> zones, List<LineConfig> lines, CalibrationConfig? calibration)
    {
        if (settings.ConfigPath is null)
            throw new ConfigException("(no file)", ["the service was started without a configuration file; there is nowhere to save zones"]);
        await _changing.WaitAsync();
        CameraConfig edited;
        try
        {
            var saved = ConfigWriter.SaveCameraScene(settings.ConfigPath, camera, zones, lines, calibration);
            // Keep this run's other settings; only the edited camera's scene changes.
            var next = saved.Cameras.Single(c => c.Name == camera);
            edited = _config.Cameras.Single(c => c.Name == camera);
            edited.Zones = next.Zones;
            edited.Lines = next.Lines;
            edited.Calibration = next.Calibration;
            _scopes.Remove(camera); // forces a restart with the new scene
        }
        finally
        {
            _changing.Release();
        }
        await ApplyAsync(reload: false, CancellationToken.None);
        return edited;
    }

    private async Task ApplyAsync(bool reload, CancellationToken ct)
    {
        await _changing.WaitAsync(ct);
        try
        {
            if (reload)
            {
                _authorisations = await authorisations.AllAsync(ct);
                _loaded = DateTimeOffset.UtcNow;
            }
            var now = DateTimeOffset.UtcNow;
            foreach (var camera in _config.Cameras)
            {
                var scope = CameraScope.For(camera.Name, UseCaseScope.Configured(camera), _authorisations, now);
                if (_scopes.TryGetValue(camera.Name, out var current) && current.SameAs(scope)) continue;
                _scopes[camera.Name] = scope;
                await RestartAsync(camera, scope, ct);
            }
        }
        finally
        {
            _changing.Release();
        }
    }

    private async Task RestartAsync(CameraConfig camera, CameraScope scope, CancellationToken ct)
    {
        if (Find(camera.Name) is { } old) await old.StopAsync();
        var allowed = scope.Allowed.Order(StringComparer.Ordinal).ToList();
        var worker = new CameraWorker(_config, UseCaseScope.Restrict(camera, scope.Allowed), desk, loggers.CreateLogger($"camera.{camera.Name}"));
        worker.Health.Scope(allowed, scope.Refused);
        lock (_workers) _workers[camera.Name] = worker;
        if (scope.Refused.Count > 0)
        {
            var why = $"no authorisation in force covers {string.Join(", ", scope.Refused)} on this camera";
            logger.LogWarning("{Camera}: analysis refused: {Why}", camera.Name, why);
            await audit.AppendAsync(AuditLog.System, AuditActions.AnalysisRefused, $"camera:{camera.Name}",
                new { UseCases = scope.Refused, Reason = why }, ct);
        }
        if (allowed.Count == 0)
        {
            worker.Health.Failed(CameraStates.Unauthorised, "not analysed: no authorisation in force covers this camera", DateTimeOffset.Now,
                reconnecting: false);
            return;
        }
        await audit.AppendAsync(AuditLog.System, AuditActions.AnalysisStart, $"camera:{camera.Name}",
            new { UseCases = allowed, Authorisations = scope.Authorisations }, ct);
        worker.Start();
    }
}
