using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigie.Config;
using Vigie.Service.Alerts;

namespace Vigie.Service.Cameras;

/// <summary>Starts one worker per configured camera and restarts a camera when its zones are edited.</summary>
public sealed class CameraSupervisor(ServiceSettings settings, AlertDesk desk, ILoggerFactory loggers) : IHostedService
{
    private readonly Dictionary<string, CameraWorker> _workers = [];
    private readonly SemaphoreSlim _editing = new(1);
    private SceneConfig _config = settings.Config;

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

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var camera in _config.Cameras) StartWorker(_config, camera);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await Task.WhenAll(Workers.Select(w => w.StopAsync()));

    /// <summary>Saves a camera's new zones and lines to the configuration file, then restarts that camera with them.</summary>
    public async Task<CameraConfig> EditSceneAsync(string camera, List<ZoneConfig> zones, List<LineConfig> lines)
    {
        if (settings.ConfigPath is null)
            throw new ConfigException("(no file)", ["the service was started without a configuration file; there is nowhere to save zones"]);
        await _editing.WaitAsync();
        try
        {
            var saved = ConfigWriter.SaveCameraScene(settings.ConfigPath, camera, zones, lines);
            // Keep this run's other settings; only the edited camera's scene changes.
            var next = saved.Cameras.Single(c => c.Name == camera);
            var edited = _config.Cameras.Single(c => c.Name == camera);
            edited.Zones = next.Zones;
            edited.Lines = next.Lines;
            if (Find(camera) is { } old) await old.StopAsync();
            StartWorker(_config, edited);
            return edited;
        }
        finally
        {
            _editing.Release();
        }
    }

    private void StartWorker(SceneConfig config, CameraConfig camera)
    {
        var worker = new CameraWorker(config, camera, desk, loggers.CreateLogger($"camera.{camera.Name}"));
        lock (_workers) _workers[camera.Name] = worker;
        worker.Start();
    }
}
