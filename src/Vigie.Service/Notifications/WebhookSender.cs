using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigie.Config;
using Vigie.Service.Api;

namespace Vigie.Service.Notifications;

/// <summary>
/// POSTs each new alert to one webhook, signed so the receiver can check it came from this Vigie and
/// is fresh: X-Vigie-Timestamp (Unix seconds) and X-Vigie-Signature = sha256=hex(HMAC-SHA256(secret,
/// timestamp + "." + body)). Failed calls are retried three times with backoff, then logged and dropped; so is an alert
/// dropped from a full queue. At stop, what is still queued gets one try each.
/// </summary>
public sealed class WebhookSender(WebhookConfig config, AlertFeed feed, HttpClient http, ILogger<WebhookSender> logger) : BackgroundService
{
    private const int Attempts = 4;

    /// <summary>Notifications that wait to be sent, beyond which the oldest are dropped, each said in the log.</summary>
    public int QueueCapacity { get; init; } = 1000;

    /// <summary>The time given, once the service stops, to send what the alert desk stored last (one try each).</summary>
    public TimeSpan LastSendBudget { get; init; } = TimeSpan.FromSeconds(5);

    private readonly string _shown = Shown(config.Url);
    private ChannelReader<FeedItem>? _items;
    // Taken from the queue, not yet delivered.
    private FeedItem? _inHand;

    /// <summary>
    /// How the log names the webhook: its receiver only. Webhook addresses often carry the receiver's token in their path or
    /// query (https://hooks.example.com/services/T0/B0/XXXX), and logs travel further than the configuration.
    /// </summary>
    public static string Shown(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}{(uri.PathAndQuery is "/" ? "" : "/…")}" : "(not a URL)";

    /// <summary>Listens to the feed before the services started after it (the alert desk) can publish anything.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _items = feed.Subscribe(QueueCapacity, item =>
        {
            if (item.Type == AlertFeed.Raised)
                logger.LogError("webhook {Url}: alert {Id} dropped: {Capacity} alerts already wait for deliveries that keep failing", _shown,
                    item.Alert.Id, QueueCapacity);
        });
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var item in _items!.ReadAllAsync(stoppingToken))
            {
                if (item.Type != AlertFeed.Raised) continue;
                _inHand = item;
                await SendAsync(item, stoppingToken);
                _inHand = null;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Service stopping.
        }
    }

    private async Task SendAsync(FeedItem item, CancellationToken ct)
    {
        var body = Body(item);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            if (await TryPostAsync(item, body, ct)) return;
            if (attempt < Attempts - 1) await Task.Delay(Backoff.Delay(attempt, 1, 8), ct);
        }
        logger.LogError("webhook {Url}: alert {Id} dropped after {Attempts} attempts", _shown, item.Alert.Id, Attempts);
    }

    /// <summary>
    /// Stopped after the alert desk has stored its last alerts: those still queued are sent within
    /// <see cref="LastSendBudget"/>, one try each; each one not sent is named in the log.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_items is null) return;
        var left = feed.Leave(_items, _inHand, item => item.Type == AlertFeed.Raised);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken); // the host's own time to stop bounds it too
        budget.CancelAfter(LastSendBudget);
        foreach (var item in left)
        {
            var sent = false;
            try
            {
                sent = await TryPostAsync(item, Body(item), budget.Token);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                // Out of time: said below.
            }
            if (!sent) logger.LogError("webhook {Url}: alert {Id} not sent: the service stopped before it could be", _shown, item.Alert.Id);
        }
    }

    private static string Body(FeedItem item) => JsonSerializer.Serialize(new Notice(item.Type, item.Alert), ApiJson.Options);

    /// <returns>Whether the receiver took it; a refusal or a failure is logged.</returns>
    private async Task<bool> TryPostAsync(FeedItem item, string body, CancellationToken ct)
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
            if (response.IsSuccessStatusCode) return true;
            logger.LogWarning("webhook {Url}: alert {Id} refused with HTTP {Status}", _shown, item.Alert.Id, (int)response.StatusCode);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("webhook {Url}: alert {Id} not delivered: {Message}", _shown, item.Alert.Id, ErrorText.Of(e));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("webhook {Url}: alert {Id} timed out", _shown, item.Alert.Id);
        }
        return false;
    }

    public static string Sign(string secret, string timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }
}
