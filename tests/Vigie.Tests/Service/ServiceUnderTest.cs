using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigie.Analytics;
using Vigie.Config;
using Vigie.Service;
using Vigie.Service.Api;
using Vigie.Service.Governance;
using Vigie.Service.Notifications;
using Vigie.Service.Security;
using Vigie.Service.Storage;

namespace Vigie.Tests.Service;

/// <summary>A real `vigie serve` (the same host the command builds) on 127.0.0.1 and a free port, from a config file.</summary>
public sealed class ServiceUnderTest : IAsyncDisposable
{
    /// <summary>Every test user has this password (long enough for the policy).</summary>
    public const string Password = "correct horse battery staple";

    private readonly WebApplication _app;
    private readonly Dictionary<string, HttpClient> _clients = [];

    private ServiceUnderTest(WebApplication app, string configPath, string url)
    {
        _app = app;
        ConfigPath = configPath;
        Url = url;
    }

    public string ConfigPath { get; }
    public string Url { get; }

    /// <summary>Signed in as the operator, who sees and reviews alerts.</summary>
    public HttpClient Http => As(Roles.Operator);

    public AlertStore Store => _app.Services.GetRequiredService<AlertStore>();
    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>A client signed in (bearer token) as the test user of this role; user names are the role names.</summary>
    public HttpClient As(string role) => _clients[role];

    /// <summary>A client with no session at all.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };

    public async Task<string> LoginAsync(string name, string password = Password)
    {
        using var http = Anonymous();
        var response = await http.PostAsJsonAsync("/api/session", new { name, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SessionView>(ApiJson.Options))!.Token!;
    }

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

    /// <param name="authorise">Record an authorisation in force for every camera and use case before the cameras start.</param>
    /// <param name="beforeStart">Given the data folder, made, before the service is built: for what an earlier run left there.</param>
    public static async Task<ServiceUnderTest> StartAsync(string cameras, string serviceExtra = "", bool authorise = true, Action<string>? beforeStart = null)
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
        beforeStart?.Invoke(Directory.CreateDirectory(config.Service.DataFolder).FullName);
        var app = await VigieServer.BuildAsync(new ServiceSettings(config, path), l => l.SetMinimumLevel(LogLevel.Warning));
        var users = app.Services.GetRequiredService<UserStore>();
        foreach (var role in Roles.All) await users.CreateAsync(role, role, Password, DateTimeOffset.UtcNow);
        if (authorise)
            await app.Services.GetRequiredService<AuthorisationStore>().CreateAsync(new NewAuthorisation("TEST-001", "test prefecture",
                DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-2)), config.Cameras.Select(c => c.Name).ToList(), EventKinds.All,
                DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), "the test scene"), "test", DateTimeOffset.UtcNow);
        return await StartedAsync(app, path, url);
    }

    private static async Task<ServiceUnderTest> StartedAsync(WebApplication app, string path, string url)
    {
        await app.StartAsync();
        var service = new ServiceUnderTest(app, path, url);
        foreach (var role in Roles.All)
        {
            var client = service.Anonymous();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await service.LoginAsync(role));
            service._clients[role] = client;
        }
        return service;
    }

    /// <summary>
    /// Stores an alert (or takes a stored one) and pushes it to the consoles' stream as the alert desk does, without waiting
    /// for a camera to see someone.
    /// </summary>
    public async Task<long> PublishAlertAsync(string type = AlertFeed.Raised, long? id = null)
    {
        var now = DateTimeOffset.UtcNow;
        id ??= await Store.InsertAsync(new NewAlert("gate", "intrusion", "forbidden", now, now, 0.9, [0, 0, 0.1, 0.1], [1], "test"));
        Service<AlertFeed>().Publish(new FeedItem(type, AlertView.From((await Store.GetAsync(id.Value))!), 0));
        return id.Value;
    }

    /// <summary>Signs in as if through a reverse proxy on this machine that names the user's address (and, when given, scheme).</summary>
    public async Task<HttpResponseMessage> SignInThroughProxyAsync(HttpClient http, string address, string name, string password, string? scheme = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { name, password }) };
        request.Headers.Add("X-Forwarded-For", address);
        if (scheme is not null) request.Headers.Add("X-Forwarded-Proto", scheme);
        return await http.SendAsync(request);
    }

    /// <summary>Stops the service and starts it again with the same configuration, address and data, as an upgrade or a restart after a crash.</summary>
    public async Task<ServiceUnderTest> RestartAsync()
    {
        await DisposeAsync();
        var app = await VigieServer.BuildAsync(new ServiceSettings(ConfigLoader.LoadFile(ConfigPath), ConfigPath), l => l.SetMinimumLevel(LogLevel.Warning));
        return await StartedAsync(app, ConfigPath, Url);
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
        http.DefaultRequestHeaders.Authorization = Http.DefaultRequestHeaders.Authorization;
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
        foreach (var client in _clients.Values) client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
