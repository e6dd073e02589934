using System.Threading.Channels;
using Vigie.Service.Api;

namespace Vigie.Service.Notifications;

/// <summary>
/// What happened to an alert: "alert" when it is raised, "alert-updated" when its clip is ready, it
/// ends or it is reviewed, "alert-waiting" when it was raised but waits for the database (no id yet;
/// the "alert" item follows once it is stored). <see cref="RuleFiredAt"/> (Stopwatch ticks) is when
/// the rule fired, so a receiver in the same process can measure the delay to the console.
/// </summary>
public sealed record FeedItem(string Type, AlertView Alert, long RuleFiredAt);

/// <summary>
/// Fans each alert out to every subscriber (console streams, MQTT, webhooks), each with its own bounded
/// queue: a slow or dead receiver loses its oldest items, never delays the cameras or the others.
/// </summary>
public sealed class AlertFeed
{
    public const string Raised = "alert";
    public const string Updated = "alert-updated";
    public const string Waiting = "alert-waiting";

    private readonly List<Channel<FeedItem>> _subscribers = [];
    private readonly object _gate = new();

    /// <param name="dropped">Told of each item dropped from this subscriber's full queue, so that it can say so.</param>
    public ChannelReader<FeedItem> Subscribe(int capacity = 256, Action<FeedItem>? dropped = null)
    {
        var channel = Channel.CreateBounded(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest }, dropped);
        lock (_gate) _subscribers.Add(channel);
        return channel.Reader;
    }

    public void Unsubscribe(ChannelReader<FeedItem> reader)
    {
        lock (_gate) _subscribers.RemoveAll(c => c.Reader == reader);
    }

    /// <summary>Unsubscribes; returns what the subscriber had not done yet and wants: the item in hand, then those still queued.</summary>
    public List<FeedItem> Leave(ChannelReader<FeedItem> reader, FeedItem? inHand, Func<FeedItem, bool> wanted)
    {
        Unsubscribe(reader);
        var left = new List<FeedItem>();
        if (inHand is not null) left.Add(inHand);
        while (reader.TryRead(out var item))
            if (wanted(item)) left.Add(item);
        return left;
    }

    public void Publish(FeedItem item)
    {
        lock (_gate)
            foreach (var s in _subscribers)
                s.Writer.TryWrite(item);
    }

    public int Subscribers
    {
        get
        {
            lock (_gate) return _subscribers.Count;
        }
    }
}
