using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using Vigie.Config;
using Vigie.Service.Api;

namespace Vigie.Service.Notifications;

/// <summary>
/// Publishes each alert and update to &lt;topic&gt;/&lt;camera&gt;/&lt;use case&gt; (QoS 1, JSON). While the broker is
/// unreachable, items wait in the feed's queue (the oldest dropped beyond <see cref="QueueCapacity"/>, counted in
/// the log once the broker is back) and the connection is retried with backoff. At stop, what is still queued is sent
/// if the broker takes it in time, else counted in the log.
/// </summary>
public sealed class MqttPublisher(MqttConfig config, AlertFeed feed, ILogger<MqttPublisher> logger) : BackgroundService
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options = Options(config);
    private ChannelReader<FeedItem>? _items;
    // Taken from the queue, not yet published.
    private FeedItem? _inHand;
    private int _dropped;

    /// <summary>Notifications that wait for the broker, beyond which the oldest are dropped.</summary>
    public int QueueCapacity { get; init; } = 1000;

    /// <summary>The time given, once the service stops, to send what the alert desk stored last.</summary>
    public TimeSpan LastSendBudget { get; init; } = TimeSpan.FromSeconds(5);

    private static MqttClientOptions Options(MqttConfig config)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(config.Host, config.Port)
            .WithClientId($"vigie-{Environment.MachineName}-{Environment.ProcessId}")
            .WithTimeout(TimeSpan.FromSeconds(5));
        if (config.Username is not null) builder = builder.WithCredentials(config.Username, config.Password);
        return builder.Build();
    }

    /// <summary>Connects to the broker with the configured credentials and leaves, publishing nothing (`vigie check`): null when it accepts, else why not.</summary>
    public static async Task<string?> TryConnectAsync(MqttConfig config, CancellationToken ct)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            await ConnectAsync(client, Options(config), ct);
            await client.DisconnectAsync(cancellationToken: ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return ErrorText.Of(e);
        }
    }

    /// <summary>
    /// A broker that answers but refuses (a wrong user or password, a client it does not allow) is an error that says so:
    /// MQTTnet returns it as a result, and the publish after it said only "The MQTT client is not connected", after a log
    /// line saying it was.
    /// </summary>
    private static async Task ConnectAsync(IMqttClient client, MqttClientOptions options, CancellationToken ct)
    {
        var result = await client.ConnectAsync(options, ct);
        if (result.ResultCode != MqttClientConnectResultCode.Success) throw new MqttRefusedException(result.ResultCode);
    }

    /// <summary>Listens to the feed before the services started after it (the alert desk) can publish anything.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _items = feed.Subscribe(QueueCapacity, _ => Interlocked.Increment(ref _dropped));
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var attempt = 0;
            await foreach (var item in _items!.ReadAllAsync(stoppingToken))
            {
                // Without an id yet: subscribers get the alert once it is stored, as usual.
                if (item.Type == AlertFeed.Waiting) continue;
                _inHand = item;
                while (true)
                {
                    try
                    {
                        await SendAsync(item, stoppingToken);
                        attempt = 0;
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        var wait = Backoff.Delay(attempt++, 1, 30);
                        logger.LogWarning("MQTT: {Host}:{Port} {State} ({Message}); retrying in {Wait:0} s", config.Host, config.Port,
                            e is MqttRefusedException ? "refuses the connection" : "unreachable", ErrorText.Of(e), wait.TotalSeconds);
                        await Task.Delay(wait, stoppingToken);
                    }
                }
                _inHand = null;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Service stopping.
        }
    }

    /// <summary>
    /// Stopped after the alert desk has stored its last alerts, ends and clips: what is still queued is sent within
    /// <see cref="LastSendBudget"/>, one try; what cannot be is counted in the log.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_items is null) return;
        var left = feed.Leave(_items, _inHand, item => item.Type != AlertFeed.Waiting);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken); // the host's own time to stop bounds it too
        budget.CancelAfter(LastSendBudget);
        var sent = 0;
        try
        {
            foreach (var item in left)
            {
                // Tried again within the budget: the stop may have cut the connection in the middle of a publish, and the
                // client needs a moment before it can connect again.
                while (true)
                {
                    try
                    {
                        await SendAsync(item, budget.Token);
                        break;
                    }
                    catch (Exception) when (!budget.IsCancellationRequested)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(200), budget.Token);
                    }
                }
                sent++;
            }
        }
        catch (Exception) when (budget.IsCancellationRequested)
        {
            // Out of time: counted below.
        }
        var unsent = left.Count - sent + Interlocked.Exchange(ref _dropped, 0);
        if (unsent > 0)
            logger.LogWarning("MQTT: {Unsent} notifications not sent: the service stopped while {Host}:{Port} could not take them; "
                + "their alerts are in the database (GET /api/alerts)", unsent, config.Host, config.Port);
        if (_client.IsConnected) await _client.DisconnectAsync();
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    private async Task SendAsync(FeedItem item, CancellationToken ct)
    {
        if (!_client.IsConnected)
        {
            await ConnectAsync(_client, _options, ct);
            logger.LogInformation("MQTT: connected to {Host}:{Port}", config.Host, config.Port);
        }
        await _client.PublishAsync(Message(item), ct);
        if (Interlocked.Exchange(ref _dropped, 0) is var lost and > 0)
            logger.LogWarning("MQTT: {Lost} notifications were dropped, the oldest first, while {Host}:{Port} was unreachable "
                + "(at most {Capacity} wait); their alerts are in the database (GET /api/alerts)", lost, config.Host, config.Port, QueueCapacity);
    }

    private MqttApplicationMessage Message(FeedItem item) => new MqttApplicationMessageBuilder()
        .WithTopic($"{config.Topic}/{TopicLevel(item.Alert.Camera)}/{item.Alert.Kind}")
        .WithPayload(JsonSerializer.SerializeToUtf8Bytes(new Notice(item.Type, item.Alert), ApiJson.Options))
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .WithContentType("application/json")
        .Build();

    /// <summary>Camera names become one topic level: no separators or wildcards.</summary>
    internal static string TopicLevel(string name) => new(name.Select(c => c is '/' or '#' or '+' ? '_' : c).ToArray());
}

/// <summary>The JSON body of an MQTT message or a webhook call.</summary>
public sealed record Notice(string Type, AlertView Alert);

/// <summary>The broker answered and refused Vigie's connection.</summary>
public sealed class MqttRefusedException(MqttClientConnectResultCode code)
    : Exception($"{code}: check notifications.mqtt.username and password, and what the broker allows");
