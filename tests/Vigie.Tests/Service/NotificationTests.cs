using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using Vigie.Config;
using Vigie.Service.Storage;
using Vigie.Service.Alerts;
using Vigie.Service.Api;
using Vigie.Service.Notifications;

namespace Vigie.Tests.Service;

/// <summary>Notifications to a broker or a webhook that is away: what waits, and what is dropped is said.</summary>
public class NotificationTests
{
    private static FeedItem Alert(long id) => new(AlertFeed.Raised, new AlertView(id, "gate", "intrusion", "forbidden", DateTimeOffset.UtcNow,
        DateTimeOffset.UtcNow, null, 0.9, [0.1, 0.1, 0.2, 0.2], [(int)id], "person in zone", "new", null, null, null, null, null, null), 0);

    private static async Task WhileSubscribing(AlertFeed feed, int subscribers)
    {
        for (int i = 0; i < 100 && feed.Subscribers < subscribers; i++) await Task.Delay(50);
        Assert.Equal(subscribers, feed.Subscribers);
    }

    [Fact]
    public async Task Alerts_beyond_what_waits_for_an_unreachable_broker_are_counted_in_the_log_once_it_is_back()
    {
        var port = Ports.Free();
        var feed = new AlertFeed();
        var log = new CapturedLog<MqttPublisher>();
        var publisher = new MqttPublisher(new MqttConfig { Host = "127.0.0.1", Port = port }, feed, log) { QueueCapacity = 5 };
        await publisher.StartAsync(CancellationToken.None);
        await WhileSubscribing(feed, 1);

        // The first in hand, retried; five wait; the two oldest of those are pushed out by the last two.
        feed.Publish(Alert(1));
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(log.Lines.Any(l => l.Contains("unreachable"))), TimeSpan.FromSeconds(10)));
        for (long id = 2; id <= 8; id++) feed.Publish(Alert(id));
        using var broker = await MosquittoBroker.StartAsync(port);
        var received = new ConcurrentQueue<string>();
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).Build());
        await client.SubscribeAsync("vigie/alerts/#");

        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(log.Lines.Any(l => l.Contains("dropped"))), TimeSpan.FromSeconds(30)),
            string.Join("\n", log.Lines));
        await publisher.StopAsync(CancellationToken.None);
        Assert.True(log.Lines.Any(l => l.StartsWith($"MQTT: 2 notifications were dropped, the oldest first, while 127.0.0.1:{port} was unreachable (at most 5 wait)",
            StringComparison.Ordinal)), string.Join("\n", log.Lines));
        // What reached the broker after the subscription (the first may have gone before it) skipped the two dropped.
        Assert.DoesNotContain(received, m => m.Contains("\"id\":2,") || m.Contains("\"id\":3,"));
    }

    [Fact]
    public async Task A_broker_refusing_the_password_is_said_to_refuse_it_and_lets_the_right_one_in()
    {
        using var broker = await MosquittoBroker.StartAsync(account: ("vigie", "broker-password-1"));
        var feed = new AlertFeed();
        var log = new CapturedLog<MqttPublisher>();
        var wrong = new MqttPublisher(new MqttConfig { Host = "127.0.0.1", Port = broker.Port, Username = "vigie", Password = "wrong" }, feed, log);
        await wrong.StartAsync(CancellationToken.None);
        await WhileSubscribing(feed, 1);
        feed.Publish(Alert(1));

        // Until 2026-11-25 the log said "connected", then "unreachable (The MQTT client is not connected.)", every retry.
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(log.Lines.Count > 0), TimeSpan.FromSeconds(10)));
        Assert.StartsWith($"MQTT: 127.0.0.1:{broker.Port} refuses the connection (NotAuthorized: check notifications.mqtt.username and password",
            log.Lines[0]);
        await wrong.StopAsync(CancellationToken.None);
        Assert.Null(await MqttPublisher.TryConnectAsync(new MqttConfig { Host = "127.0.0.1", Port = broker.Port, Username = "vigie", Password = "broker-password-1" },
            CancellationToken.None));
    }

    [Fact]
    public async Task A_webhook_whose_certificate_is_not_trusted_is_said_so_in_the_log()
    {
        using var receiver = new SelfSignedTlsServer();
        var feed = new AlertFeed();
        var log = new CapturedLog<WebhookSender>();
        using var http = new HttpClient();
        var sender = new WebhookSender(new WebhookConfig { Url = $"https://127.0.0.1:{receiver.Port}/hook", Secret = "s" }, feed, http, log);
        await sender.StartAsync(CancellationToken.None);
        await WhileSubscribing(feed, 1);
        feed.Publish(Alert(1));

        // Until 2026-11-25: "The SSL connection could not be established, see inner exception.", and the log showed no inner exception.
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(log.Lines.Count > 0), TimeSpan.FromSeconds(10)));
        await sender.StopAsync(CancellationToken.None);
        Assert.Contains("alert 1 not delivered: The SSL connection could not be established: The remote certificate is invalid", log.Lines[0]);
        Assert.Contains("UntrustedRoot", log.Lines[0]);
    }

    [Fact]
    public async Task Alerts_beyond_what_waits_for_a_failing_webhook_are_each_named_in_the_log_without_its_token()
    {
        var feed = new AlertFeed();
        var log = new CapturedLog<WebhookSender>();
        using var http = new HttpClient();
        var port = Ports.Free();
        var url = $"http://127.0.0.1:{port}/hooks/T0/B0/s3cr3t?token=abc";
        var sender = new WebhookSender(new WebhookConfig { Url = url, Secret = "s" }, feed, http, log) { QueueCapacity = 2 };
        await sender.StartAsync(CancellationToken.None);
        await WhileSubscribing(feed, 1);

        feed.Publish(Alert(1));
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(log.Lines.Any(l => l.Contains("alert 1 not delivered"))), TimeSpan.FromSeconds(10)));
        for (long id = 2; id <= 5; id++) feed.Publish(Alert(id));
        await sender.StopAsync(CancellationToken.None);

        Assert.Equal(["alert 2 dropped", "alert 3 dropped"],
            log.Lines.Where(l => l.Contains("dropped: 2 alerts already wait")).Select(l => System.Text.RegularExpressions.Regex.Match(l, @"alert \d+ dropped").Value));
        Assert.All(log.Lines, l => Assert.StartsWith($"webhook http://127.0.0.1:{port}/…: alert ", l));
        Assert.DoesNotContain(log.Lines, l => l.Contains("s3cr3t") || l.Contains("abc"));
    }

    /// <summary>A client subscribed to every alert topic of the broker, gathering the payloads.</summary>
    private static async Task<(IMqttClient Client, ConcurrentQueue<string> Received)> SubscribeAsync(int port)
    {
        var received = new ConcurrentQueue<string>();
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).Build());
        await client.SubscribeAsync("vigie/alerts/#");
        return (client, received);
    }

    [Fact]
    public async Task What_waits_when_the_service_stops_is_sent_to_the_broker_or_counted_in_the_log()
    {
        using var broker = await MosquittoBroker.StartAsync();
        var (client, received) = await SubscribeAsync(broker.Port);
        using var _ = client;
        var feed = new AlertFeed();
        var log = new CapturedLog<MqttPublisher>();
        var publisher = new MqttPublisher(new MqttConfig { Host = "127.0.0.1", Port = broker.Port }, feed, log);
        await publisher.StartAsync(CancellationToken.None);
        await WhileSubscribing(feed, 1);

        // The alert desk's last alerts, published as the service stops: none is left behind.
        for (long id = 1; id <= 40; id++) feed.Publish(Alert(id));
        await publisher.StopAsync(CancellationToken.None);
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(received.Count == 40), TimeSpan.FromSeconds(10)),
            $"{received.Count} received: " + string.Join("\n", log.Lines));

        // A broker away when the service stops: what waits is counted.
        var away = new AlertFeed();
        var awayLog = new CapturedLog<MqttPublisher>();
        var stranded = new MqttPublisher(new MqttConfig { Host = "127.0.0.1", Port = Ports.Free() }, away, awayLog) { LastSendBudget = TimeSpan.FromSeconds(1) };
        await stranded.StartAsync(CancellationToken.None);
        await WhileSubscribing(away, 1);
        for (long id = 1; id <= 3; id++) away.Publish(Alert(id));
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(awayLog.Lines.Any(l => l.Contains("unreachable"))), TimeSpan.FromSeconds(10)));
        await stranded.StopAsync(CancellationToken.None);
        Assert.Contains(awayLog.Lines, l => l.StartsWith("MQTT: 3 notifications not sent: the service stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Alerts_waiting_for_a_failing_webhook_when_the_service_stops_get_one_more_try_and_are_named()
    {
        var feed = new AlertFeed();
        var log = new CapturedLog<WebhookSender>();
        using var http = new HttpClient();
        var sender = new WebhookSender(new WebhookConfig { Url = $"http://127.0.0.1:{Ports.Free()}/hook", Secret = "s" }, feed, http, log);
        await sender.StartAsync(CancellationToken.None);
        await WhileSubscribing(feed, 1);

        feed.Publish(Alert(1));
        feed.Publish(Alert(2));
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(log.Lines.Any(l => l.Contains("alert 1 not delivered"))), TimeSpan.FromSeconds(10)));
        await sender.StopAsync(CancellationToken.None);

        Assert.Equal(["alert 1 not sent", "alert 2 not sent"],
            log.Lines.Where(l => l.Contains("the service stopped before it could be")).Select(l => System.Text.RegularExpressions.Regex.Match(l, @"alert \d+ not sent").Value));
    }

    [Fact]
    public async Task Alerts_kept_from_the_last_stop_reach_the_broker_when_the_service_starts()
    {
        using var broker = await MosquittoBroker.StartAsync();
        var (client, received) = await SubscribeAsync(broker.Port);
        using var _ = client;
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var kept = SpooledAlert.Raised(new NewAlert("gate", "intrusion", "forbidden", at, at, 0.9, [0.1, 0.1, 0.2, 0.2], [7], "person in zone"), null);

        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"), $"""
              notifications:
                mqtt: {"{"} host: 127.0.0.1, port: {broker.Port} {"}"}
            """, beforeStart: data => AlertDeskTests.WriteSpool(data, kept));

        // Stored before any camera's alert, and published: the broker's subscribers heard of it (they were listening first).
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(received.Any(m => m.Contains("\"track_ids\":[7]"))), TimeSpan.FromSeconds(15)),
            string.Join("\n", received));
        Assert.Equal([7], (await service.Store.GetAsync(1))!.TrackIds);
    }
}
