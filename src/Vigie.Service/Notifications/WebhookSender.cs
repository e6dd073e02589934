using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigie.Config;
using Vigie.Service.Api;

namespace Vigie.Service.Notifications;

/// <summary>
/// POSTs each new alert to one webhook, signed so the receiver can check it came from this Vigie and
/// is fresh: X-Vigie-Timestamp (Unix seconds) and X-Vigie-Signature = sha256=hex(HMAC-SHA256(secret,
/// timestamp + "." + body)). Failed calls are retried three times with backoff, then logged and dropped; so is an alert
/// dropped from a full queue.
/// </summary>
public sealed class WebhookSender(WebhookConfig config, AlertFeed feed, HttpClient http, ILogger<WebhookSender> logger) : BackgroundService
{
    private const int Attempts = 4;

    /// <summary>Notifications that wait to be sent, beyond which the oldest are dropped, each said in the log.</summary>
    public int QueueCapacity { get; init; } = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var items = feed.Subscribe(QueueCapacity, item =>
        {
            if (item.Type == AlertFeed.Raised)
                logger.LogError("webhook {Url}: alert {Id} dropped: {Capacity} alerts already wait for deliveries that keep failing", config.Url,
                    item.Alert.Id, QueueCapacity);
        });
        try
        {
            await foreach (var item in items.ReadAllAsync(stoppingToken))
            {
                if (item.Type != AlertFeed.Raised) continue;
                await SendAsync(item, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Service stopping.
        }
        finally
        {
            feed.Unsubscribe(items);
        }
    }

    private async Task SendAsync(FeedItem item, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new Notice(item.Type, item.Alert), ApiJson.Options);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            try
            {
                var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                using var request = new HttpRequestMessage(HttpMethod.Post, config.Url)
                {
                    Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
                };
                request.Headers.Add("X-Vigie-Timestamp", timestamp);
                request.Headers.Add("X-Vigie-Signature", Sign(config.Secret, timestamp, body));
                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode) return;
                logger.LogWarning("webhook {Url}: alert {Id} refused with HTTP {Status}", config.Url, item.Alert.Id, (int)response.StatusCode);
            }
            catch (HttpRequestException e)
            {
                logger.LogWarning("webhook {Url}: alert {Id} not delivered: {Message}", config.Url, item.Alert.Id, e.Message);
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning("webhook {Url}: alert {Id} timed out", config.Url, item.Alert.Id);
            }
            if (attempt < Attempts - 1) await Task.Delay(Backoff.Delay(attempt, 1, 8), ct);
        }
        logger.LogError("webhook {Url}: alert {Id} dropped after {Attempts} attempts", config.Url, item.Alert.Id, Attempts);
    }

    public static string Sign(string secret, string timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }
}
