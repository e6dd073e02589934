using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigie.Config;
using Vigie.Service;
using Vigie.Service.Api;
using Vigie.Service.Storage;

namespace Vigie.Tests.Service;

/// <summary>A real `vigie serve` (the same host the command builds) on 127.0.0.1 and a free port, from a config file.</summary>
public sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceUnderTest(WebApplication app, string configPath, string url)
    {
        _app = app;
        ConfigPath = configPath;
        Url = url;
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string ConfigPath { get; }
    public string Url { get; }
    public HttpClient Http { get; }
    public AlertStore Store => _app.Services.GetRequiredService<AlertStore>();

    /// <summary>A camera watching the synthetic scene's "forbidden" zone (intrusion) with the motion detector.</summary>
    public static string IntrusionCamera(string source, string name = "gate") => $"""
          - name: {name}
            source: {source}
            zones:
              - name: forbidden
                polygon: [[0.45, 0.6], [0.75, 0.6], [0.75, 1.0], [0.45, 1.0]]
                use_cases:
                  intrusion: {"{"} dwell_s: 0.5, cooldown_s: 5 {"}"}
        """;

    public static async Task<ServiceUnderTest> StartAsync(string cameras, string serviceExtra = "")
    {
        var folder = TestPaths.TempFolder();
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var path = Path.Combine(folder, "service.yaml");
        await File.WriteAllTextAsync(path, $"""
            version: 1
            analysis:
              fps: 5
            detector:
              type: motion
            service:
              listen: {url}
              data_folder: data
              reconnect: {"{"} initial_s: 0.5, max_s: 2 {"}"}
              evidence:
                before_s: 2
                after_s: 2
                face_model: {TestPaths.Model("yunet_face.onnx")}
            {serviceExtra}
            cameras:
            {cameras}
            """);
        var config = ConfigLoader.LoadFile(path);
        var app = await VigieServer.BuildAsync(new ServiceSettings(config, path), l => l.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return new ServiceUnderTest(app, path, url);
    }

    public async Task<T> GetAsync<T>(string path) =>
        (await Http.GetFromJsonAsync<T>(path, ApiJson.Options)) ?? throw new InvalidOperationException($"{path} returned null");

    /// <summary>Reads the server-sent event stream until an event of the given type arrives.</summary>
    public async Task<AlertView> NextEventAsync(StreamReader stream, string type, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? eventType = null;
        while (true)
        {
            var line = await stream.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the alert stream closed");
            if (line.StartsWith("event: ", StringComparison.Ordinal)) eventType = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventType == type)
                return JsonSerializer.Deserialize<AlertView>(line[6..], ApiJson.Options)!;
        }
    }

    public async Task<StreamReader> OpenStreamAsync()
    {
        var http = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var response = await http.GetAsync("/api/alerts/stream", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        return reader;
    }

    /// <summary>Polls until the condition holds or the time is up; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (await condition()) return true;
            await Task.Delay(250);
        }
        return await condition();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
