using System.Text.Json;
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
/// the log once the broker is back) and the connection is retried with backoff.
/// </summary>
public sealed class MqttPublisher(MqttConfig config, AlertFeed feed, ILogger<MqttPublisher> logger) : BackgroundService
{
    private int _dropped;

    /// <summary>Notifications that wait for the broker, beyond which the oldest are dropped.</summary>
    public int QueueCapacity { get; init; } = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var items = feed.Subscribe(QueueCapacity, _ => Interlocked.Increment(ref _dropped));
        using var client = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(config.Host, config.Port)
            .WithClientId($"vigie-{Environment.MachineName}-{Environment.ProcessId}")
            .WithTimeout(TimeSpan.FromSeconds(5));
        if (config.Username is not null) builder = builder.WithCredentials(config.Username, config.Password);
        var options = builder.Build();
        var attempt = 0;
        try
        {
            await foreach (var item in items.ReadAllAsync(stoppingToken))
            {
                // Without an id yet: subscribers get the alert once it is stored, as usual.
                if (item.Type == AlertFeed.Waiting) continue;
                while (!stoppingToken.IsCancellationRequested)
                {
                    try
                    {
                        if (!client.IsConnected)
                        {
                            await client.ConnectAsync(options, stoppingToken);
                            logger.LogInformation("MQTT: connected to {Host}:{Port}", config.Host, config.Port);
                        }
                        await client.PublishAsync(Message(item), stoppingToken);
                        attempt = 0;
                        if (Interlocked.Exchange(ref _dropped, 0) is var lost and > 0)
                            logger.LogWarning("MQTT: {Lost} notifications were dropped, the oldest first, while {Host}:{Port} was unreachable "
                                + "(at most {Capacity} wait); their alerts are in the database (GET /api/alerts)", lost, config.Host, config.Port, QueueCapacity);
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        var wait = Backoff.Delay(attempt++, 1, 30);
                        logger.LogWarning("MQTT: {Host}:{Port} unreachable ({Message}); retrying in {Wait:0} s", config.Host, config.Port, e.Message, wait.TotalSeconds);
                        await Task.Delay(wait, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Service stopping.
        }
        finally
        {
            feed.Unsubscribe(items);
            if (client.IsConnected) await client.DisconnectAsync();
        }
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
