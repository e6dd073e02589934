using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigie.Analytics;
using Vigie.Config;
using Vigie.Service.Api;
using Vigie.Service.Governance;
using Vigie.Service.Notifications;
using Vigie.Service.Security;
using Vigie.Service;

namespace Vigie.Bench;

/// <summary>
/// How long an alert takes from the rule firing to the console: a real `vigie serve` on 127.0.0.1 plays a
/// clip as a live camera; a client reads the server-sent event stream exactly as the console page does,
/// and each alert's arrival is compared with the moment its rule fired (same process, same clock).
/// </summary>
public static class ConsoleLatencyBenchmark
{
    public static async Task<IReadOnlyList<double>> RunAsync(string clip, SceneConfig scene, int alerts, TimeSpan limit, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"vigie-bench-console-{Environment.ProcessId}");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        scene.Service.Listen = $"http://127.0.0.1:{FreePort()}";
        scene.Service.DataFolder = folder;
        scene.Cameras[0].Source = clip;
        scene.Cameras[0].Loop = true;
        await using var app = await VigieServer.BuildAsync(new ServiceSettings(scene, null), l => l.SetMinimumLevel(LogLevel.Error), ct);
        var fired = new ConcurrentDictionary<long, long>();
        var feed = app.Services.GetRequiredService<AlertFeed>();
        var tap = feed.Subscribe(1000);
        var tapping = Task.Run(async () =>
        {
            await foreach (var item in tap.ReadAllAsync(ct))
                if (item.Type == AlertFeed.Raised) fired[item.Alert.Id] = item.RuleFiredAt;
        }, ct);
        // As in production: the camera runs only under an authorisation, the stream needs a signed-in operator.
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        await app.Services.GetRequiredService<UserStore>().CreateAsync("bench", Roles.Operator, password, DateTimeOffset.UtcNow, ct);
        await app.Services.GetRequiredService<AuthorisationStore>().CreateAsync(new NewAuthorisation("BENCH", "benchmark",
            DateOnly.FromDateTime(DateTime.UtcNow), [scene.Cameras[0].Name], EventKinds.All, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1),
            "benchmark clip"), "bench", DateTimeOffset.UtcNow, ct);
        await app.StartAsync(ct);
        var latencies = new List<double>();
        try
        {
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var login = await http.PostAsJsonAsync($"{scene.Service.Listen}/api/session", new { name = "bench", password }, ct);
            login.EnsureSuccessStatusCode();
            var token = (await login.Content.ReadFromJsonAsync<SessionView>(ApiJson.Options, ct))!.Token;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stop.CancelAfter(limit);
            using var response = await http.GetAsync($"{scene.Service.Listen}/api/alerts/stream", HttpCompletionOption.ResponseHeadersRead, stop.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            string? type = null;
            while (latencies.Count < alerts && await reader.ReadLineAsync(stop.Token) is { } line)
            {
                var now = Stopwatch.GetTimestamp();
                if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && type == AlertFeed.Raised)
                {
                    var id = JsonSerializer.Deserialize<AlertView>(line[6..], ApiJson.Options)!.Id;
                    // The tap sees the item when it is published, before the HTTP stream does; wait briefly for it.
                    for (int i = 0; i < 50 && !fired.ContainsKey(id); i++) await Task.Delay(10, stop.Token);
                    if (fired.TryGetValue(id, out var at)) latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Time limit reached: report what was measured.
        }
        finally
        {
            feed.Unsubscribe(tap);
            await app.StopAsync(CancellationToken.None);
            await tapping.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return latencies;
    }

    public static string ToMarkdown(IReadOnlyList<double> latencies, string clip, string machine, DateTimeOffset when)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = BenchParts.Section("Alert to console (`vigie bench --console`)", machine, when);
        sb.AppendLine(inv, $"- `vigie serve` on 127.0.0.1 plays `{Path.GetFileName(clip)}` as a live camera (motion detector, intrusion zone, SQLite, blurred snapshot; no face model); a client reads `/api/alerts/stream` as the console page does.");
        sb.AppendLine("- Measured: from the rule firing (end of the frame's analysis) to the alert's arrival on the stream; this includes storing the alert, writing its blurred snapshot and the HTTP push. Target: under 1 s.");
        sb.AppendLine();
        if (latencies.Count == 0)
        {
            sb.AppendLine("No alert arrived within the time limit.");
            return sb.ToString();
        }
        var sorted = latencies.Order().ToList();
        var p95 = sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(0.95 * sorted.Count) - 1)];
        sb.AppendLine(inv, $"{sorted.Count} alerts: median **{PipelineBenchmark.Median(sorted):0} ms**, p95 {p95:0} ms, max {sorted[^1]:0} ms; " +
                           $"{sorted.Count(l => l < 1000)} of {sorted.Count} under 1 s.");
        return sb.ToString();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
