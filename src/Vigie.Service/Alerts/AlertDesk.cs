using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenCvSharp;
using Vigie.Analytics;
using Vigie.Alerts;
using Vigie.Config;
using Vigie.Service.Api;
using Vigie.Service.Evidence;
using Vigie.Service.Governance;
using Vigie.Service.Notifications;
using Vigie.Service.Storage;

namespace Vigie.Service.Alerts;

/// <summary>
/// Where every camera's alerts arrive: each is stored, given a blurred snapshot, pushed to the feed
/// (console, MQTT, webhooks) and, a few seconds later, given its clip. Cameras hand alerts over without
/// waiting; one queue keeps each alert's steps in order. While the database is unavailable (a restart,
/// a failover, a network cut) alerts wait in <see cref="AlertSpool"/>, in order, and are stored, shown and pushed once it
/// is back, at the next start if the service stops (or is killed) first.
/// </summary>
public sealed class AlertDesk(AlertStore store, EvidenceRecorder recorder, FreeSpaceGuard space, AlertFeed feed, EvidenceConfig evidence,
    ILogger<AlertDesk> logger)
    : BackgroundService
{
    private abstract record Work;
    private sealed record RaisedWork(string Camera, SceneEvent Event, KeptFrame Frame, AlertMarks Marks, FrameRing Ring, FrameRing? LookBack,
        long FiredAt) : Work;
    private sealed record ClosedWork(string Camera, SceneEvent Event) : Work;
    private sealed record ClipWork(long Id, string Clip) : Work;
    private sealed record SpooledWork(SpooledAlert Entry) : Work;
    private readonly record struct EventKey(string Camera, string Kind, string Where, TimeSpan Start, TimeSpan RaisedAt);

    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    // What the database could not take yet, in the order it came: the spool first, then what the spool could not take either.
    private AlertSpool? _spool;
    private readonly Queue<Work> _waiting = new();
    private volatile int _waitingCount;
    private bool _spoolFailureSaid;
    private readonly Dictionary<EventKey, long> _open = [];
    // Alerts written to the spool before they were stored, and the ids they got once stored: their ends come later.
    private readonly Dictionary<EventKey, string> _spooledRefs = [];
    private readonly Dictionary<string, long> _storedRefs = [];
    // Alerts in the spool whose seconds are still in the camera's memory: stored soon enough, they still get their clip.
    private readonly Dictionary<string, RaisedWork> _clipSources = [];
    private readonly List<Task> _clips = [];
    private readonly CancellationTokenSource _stopping = new();
    // Cancelled when the host's time to stop runs out: the clips not yet made are given up.
    private readonly CancellationTokenSource _abandon = new();
    private readonly string _spoolPath = AlertSpool.PathIn(recorder.DataFolder);

    /// <param name="lookBack">Sparse frames of the last minutes, for events that began long before they were raised.</param>
    public void Raise(string camera, SceneEvent e, KeptFrame frame, AlertMarks marks, FrameRing ring, FrameRing? lookBack, long firedAt) =>
        _work.Writer.TryWrite(new RaisedWork(camera, e, frame, marks, ring, lookBack, firedAt));

    public void Close(string camera, SceneEvent e) => _work.Writer.TryWrite(new ClosedWork(camera, e));

    public async Task<AlertRecord?> ReviewAsync(long id, string decision, string? reason, string? note, string reviewer, CancellationToken ct)
    {
        var record = await store.ReviewAsync(id, decision, reason, note, reviewer, DateTimeOffset.UtcNow, ct);
        if (record is not null) feed.Publish(new FeedItem(AlertFeed.Updated, AlertView.From(record), 0));
        return record;
    }

    /// <summary>Alerts (and ends of alerts) waiting for the database to come back.</summary>
    public int WaitingForDatabase => _waitingCount;

    /// <summary>
    /// Alerts (or ends or clips of alerts) that could not be stored since the service started, each written whole to the
    /// log instead, and when the last was: what the operators must hear of, since the console never shows them.
    /// </summary>
    public (int Count, DateTimeOffset? Last) NotStored
    {
        get
        {
            lock (_notStoredGate) return (_notStored, _lastNotStored);
        }
    }

    private readonly object _notStoredGate = new();
    private int _notStored;
    private DateTimeOffset? _lastNotStored;

    private void CountNotStored()
    {
        lock (_notStoredGate)
        {
            _notStored++;
            _lastNotStored = DateTimeOffset.Now;
        }
    }

    /// <summary>
    /// Alerts (and ends and clips of alerts) kept in memory at most while neither the database nor the spool takes them (a full
    /// disk); beyond, the oldest is written to the log only.
    /// </summary>
    public int MostWaiting { get; init; } = 1000;

    /// <summary>How often the database is tried again while alerts wait for it.</summary>
    public TimeSpan DatabaseRetryEvery { get; init; } = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not stoppingToken: alerts already raised are stored even while the service stops.
        LoadSpool();
        var reader = _work.Reader;
        // One wait at a time: the queue has a single reader.
        var incoming = reader.WaitToReadAsync().AsTask();
        while (true)
        {
            if (AnythingWaits) await StoreWaitingAsync();
            if (AnythingWaits) await Task.WhenAny(incoming, Task.Delay(DatabaseRetryEvery));
            else await incoming;
            if (!incoming.IsCompleted) continue;
            if (!await incoming) break; // no more work will come: the service is stopping
            while (reader.TryRead(out var work)) await HandleAsync(work);
            incoming = reader.WaitToReadAsync().AsTask();
        }
        await StoreWaitingAsync();
        SpoolWaiting();
    }

    /// <summary>Puts what waited for the database when the service last stopped first in line.</summary>
    private void LoadSpool()
    {
        AlertSpool spool;
        List<int> unreadable;
        try
        {
            (spool, unreadable) = AlertSpool.Open(_spoolPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError("{Spool}: alerts that waited for the database when the service last stopped cannot be read ({Message}); "
                + "the file is left as it is, and will be read at the next start", _spoolPath, e.Message);
            return;
        }
        if (unreadable.Count > 0)
        {
            var kept = AlertSpool.SetAsidePath(_spoolPath, DateTime.UtcNow);
            try
            {
                File.Copy(_spoolPath, kept);
                logger.LogError("{Spool}: line(s) {Lines} are not alerts and are skipped; the file is kept whole as {Kept}", _spoolPath,
                    string.Join(", ", unreadable), kept);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogError("{Spool}: line(s) {Lines} are not alerts, and the file cannot be kept aside ({Message}); "
                    + "it is left as it is, and will be read at the next start", _spoolPath, string.Join(", ", unreadable), e.Message);
                spool.Dispose();
                return;
            }
        }
        _spool = spool;
        _waitingCount = spool.Count;
        if (spool.Count == 0)
        {
            // Lines that are not alerts only, kept aside above.
            if (unreadable.Count > 0) DeleteSpool(spool);
            return;
        }
        logger.LogWarning("{Count} alerts (or ends and clips of alerts) waited for the database when the service last stopped: stored first, from {Spool}",
            spool.Count, _spoolPath);
    }

    /// <summary>
    /// What still waits in memory when the service stops goes to the spool (or, if even that cannot be written, to the log).
    /// </summary>
    private void SpoolWaiting()
    {
        foreach (var work in _waiting)
            if (!Spool(work))
                logger.LogError("{What} NOT STORED: the database was still unavailable when the service stopped, and {Spool} cannot be written: {Alert}",
                    What(work), _spoolPath, Describe(work));
        _waiting.Clear();
        if (_spool is { Count: > 0 } spool)
            logger.LogError("the database was still unavailable when the service stopped: {Count} alerts (or ends and clips of alerts) wait in {Spool}, "
                + "to be stored at the next start", spool.Count, _spoolPath);
        _spool?.Dispose();
    }

    /// <summary>
    /// Writes waiting work to the end of the spool. An alert's snapshot is made now, blurred as stored evidence is; its clip is
    /// made once it is stored, if its seconds are still in the camera's memory then.
    /// </summary>
    /// <returns>False when the spool cannot be written (a full disk): the work is as it was.</returns>
    private bool Spool(Work work)
    {
        if (SpoolEntryOf(work) is not { } entry) return true;
        try
        {
            if (_spool is null) throw new IOException("it could not be read when the service started");
            _spool.Append(entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_spoolFailureSaid)
                logger.LogError("{Spool} cannot be written ({Message}): alerts waiting for the database stay in memory, beyond {Most} only in the log",
                    _spoolPath, e.Message, MostWaiting);
            _spoolFailureSaid = true;
            return false;
        }
        _spoolFailureSaid = false;
        // What follows an alert in the spool names it by its ref; once ended, nothing more refers to it.
        switch (work)
        {
            case RaisedWork raised:
                _spooledRefs[Key(raised.Camera, raised.Event)] = entry.Ref!;
                if (ClipStillPossible(raised)) _clipSources[entry.Ref!] = raised;
                break;
            case ClosedWork closed:
                Forget(Key(closed.Camera, closed.Event));
                break;
        }
        return true;
    }

    /// <returns>Null for the end of an alert that was never stored.</returns>
    private SpooledAlert? SpoolEntryOf(Work work)
    {
        switch (work)
        {
            case RaisedWork raised:
                return SpooledAlert.Raised(NewAlertOf(raised), SpooledSnapshot(raised));
            case ClosedWork { Event.End: { } end } closed:
                var key = Key(closed.Camera, closed.Event);
                var ended = closed.Event.ClockAt(end);
                if (StoredIdOf(key) is { } id) return SpooledAlert.EndOf(id, ended);
                return _spooledRefs.TryGetValue(key, out var alertRef) ? SpooledAlert.EndOf(alertRef, ended) : null;
            case ClipWork clip:
                return SpooledAlert.ClipOf(clip.Id, clip.Clip);
            default:
                return null;
        }
    }

    /// <summary>None when the service is out of time to stop: the face model is about to be disposed.</summary>
    private byte[]? SpooledSnapshot(RaisedWork w)
    {
        if (_abandon.IsCancellationRequested) return null;
        try
        {
            return recorder.SnapshotJpeg(w.Frame, w.Marks);
        }
        catch (OpenCVException e)
        {
            logger.LogError("alert on {Camera}: snapshot not made ({Message})", w.Camera, e.Message);
            return null;
        }
    }

    private async Task HandleAsync(Work work)
    {
        // Behind alerts already waiting for the database, in order: an alert's end never comes before the alert.
        if (AnythingWaits)
        {
            Wait(work);
            return;
        }
        if (!await DoAsync(work))
        {
            logger.LogError("database unavailable: alerts wait in {Spool} until it is back (with their snapshots; their clips too if it is back while "
                + "their seconds are in memory); retried every {Every} s", _spoolPath, DatabaseRetryEvery.TotalSeconds);
            Wait(work);
        }
    }

    private bool AnythingWaits => _waiting.Count > 0 || _spool is { Count: > 0 };

    private void Wait(Work work)
    {
        _waiting.Enqueue(work);
        SpoolWaitingWork();
        // The console shows it now: a person in a forbidden zone does not wait for a database to come back.
        if (work is RaisedWork raised) feed.Publish(new FeedItem(AlertFeed.Waiting, WaitingView(raised), raised.FiredAt));
    }

    /// <summary>
    /// Writes what waits to the spool at once, oldest first: a service stopped, or killed, during an outage loses none of it.
    /// Memory keeps only what the disk refuses too (full), up to <see cref="MostWaiting"/>; and, for alerts whose seconds are
    /// still in the camera's memory, what their clip is made of once they are stored.
    /// </summary>
    private void SpoolWaitingWork()
    {
        while (_waiting.TryPeek(out var oldest))
        {
            if (!Spool(oldest))
            {
                // Memory keeps it, until the database or the disk takes it.
                if (_waiting.Count <= MostWaiting) break;
                logger.LogError("{What} NOT STORED: {Count} already wait for the database, and {Spool} cannot be written: {Alert}", What(oldest),
                    _waiting.Count, _spoolPath, Describe(oldest));
                CountNotStored();
            }
            _waiting.Dequeue();
        }
        foreach (var (alertRef, raised) in _clipSources.ToList())
            if (!ClipStillPossible(raised)) _clipSources.Remove(alertRef);
        _waitingCount = _waiting.Count + (_spool?.Count ?? 0);
    }

    /// <summary>Its seconds are still in the camera's memory: stored now, it would still get its clip.</summary>
    private bool ClipStillPossible(RaisedWork w)
    {
        var (from, until) = ClipSpan(w.Event.ClockAt(w.Event.RaisedAt));
        return w.Ring.Between(from, until, w.Frame.Run).Count >= 2;
    }

    private (DateTimeOffset From, DateTimeOffset Until) ClipSpan(DateTimeOffset raisedAt) =>
        (raisedAt - TimeSpan.FromSeconds(evidence.BeforeS), raisedAt + TimeSpan.FromSeconds(evidence.AfterS));

    private static AlertView WaitingView(RaisedWork w)
    {
        var e = w.Event;
        return new AlertView(0, w.Camera, e.Kind, e.Where, e.StartClock, e.ClockAt(e.RaisedAt), null, Math.Round(e.Score, 3), Box(e), e.TrackIds,
            e.Detail, "waiting", null, null, null, null, null, null);
    }

    private static double[] Box(SceneEvent e) =>
        [Math.Round(e.Box.X, 4), Math.Round(e.Box.Y, 4), Math.Round(e.Box.Width, 4), Math.Round(e.Box.Height, 4)];

    /// <summary>Stores what waits, in order, one try each, until the database fails again.</summary>
    private async Task StoreWaitingAsync()
    {
        var stored = 0;
        while (_spool?.Peek() is { } entry && await DoAsync(new SpooledWork(entry)))
        {
            SpooledStored(_spool);
            stored++;
        }
        while (_spool is not { Count: > 0 } && _waiting.TryPeek(out var work) && await DoAsync(work))
        {
            _waiting.Dequeue();
            stored++;
        }
        SpoolWaitingWork();
        if (stored == 0 || _waitingCount > 0) return;
        logger.LogInformation("database back: {Stored} waiting alerts and ends of alerts stored", stored);
    }

    private void SpooledStored(AlertSpool spool)
    {
        try
        {
            spool.Stored();
            if (spool.Count == 0) logger.LogInformation("every alert of {Spool} is stored; the file is deleted", _spoolPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SpoolNotUpdated(e);
        }
    }

    private void DeleteSpool(AlertSpool spool)
    {
        try
        {
            spool.Delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SpoolNotUpdated(e);
        }
    }

    // Read again at the next start: its alerts would be stored twice, which is better than not at all.
    private void SpoolNotUpdated(Exception e) =>
        logger.LogError("{Spool} cannot be updated ({Message}): its alerts already stored would be stored again at the next start: "
            + "delete it (and the .stored file beside it) once the database has them", _spoolPath, e.Message);

    /// <returns>False when the database did not take the alert (or its end), which is then to be tried again.</returns>
    private async Task<bool> DoAsync(Work work)
    {
        try
        {
            return work switch
            {
                RaisedWork raised => await RaiseAsync(raised),
                ClosedWork closed => await CloseAsync(closed),
                ClipWork clip => await RecordClipAsync(clip),
                _ => await StoreSpooledAsync(((SpooledWork)work).Entry),
            };
        }
        catch (DbException e) when (Database.Refuses(e))
        {
            // Tried again it would be refused again, and hold every later alert behind it.
            logger.LogError("{What} NOT STORED: the database refuses it ({Message}): {Alert}", What(work), e.Message, Describe(work));
            CountNotStored();
            return true;
        }
        catch (Exception e) when (e is DbException or StorageException or InvalidOperationException)
        {
            // Stored already: only a later step (evidence paths, the feed) failed.
            logger.LogError("{What} stored, but not all its steps were done ({Message}): {Alert}", What(work), e.Message, Describe(work));
            return true;
        }
    }

    private static string What(Work work) => work switch
    {
        RaisedWork => "alert",
        ClosedWork => "end of alert",
        ClipWork clip => $"clip {clip.Clip} of alert {clip.Id}",
        _ => "alert from the spool",
    };

    private static string Describe(Work work) => work switch
    {
        RaisedWork raised => JsonSerializer.Serialize(EventLine.From(raised.Event), JsonLinesWriter.Options),
        ClosedWork closed => JsonSerializer.Serialize(EventLine.From(closed.Event), JsonLinesWriter.Options),
        SpooledWork spooled => spooled.Entry.Describe(),
        _ => "",
    };

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _work.Writer.TryComplete();
        await _stopping.CancelAsync(); // clips are cut from the frames already there
        try
        {
            await WhenDoneAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Out of time: the host disposes the face model and the database next, and a snapshot or clip still being
            // made with them would crash the process. Alerts are still stored; the clips not yet made are given up,
            // each within a frame, and waited for.
            await _abandon.CancelAsync();
            await WhenDoneAsync();
        }
        await base.StopAsync(cancellationToken);
    }

    /// <summary>Every raised alert stored, then every clip made or given up.</summary>
    private async Task WhenDoneAsync()
    {
        if (ExecuteTask is not null) await ExecuteTask;
        Task[] clips;
        lock (_clips) clips = [.. _clips];
        await Task.WhenAll(clips);
    }

    private async Task<bool> RaiseAsync(RaisedWork w)
    {
        var e = w.Event;
        var alert = NewAlertOf(w);
        var raisedAt = alert.Raised;
        long id;
        try
        {
            id = await store.InsertAsync(alert);
        }
        catch (DbException outage) when (!Database.Refuses(outage))
        {
            return false;
        }
        _open[Key(w.Camera, e)] = id;
        var room = await space.RoomForEvidenceAsync();
        var snapshot = room ? recorder.Snapshot(id, w.Camera, raisedAt, w.Frame, w.Marks) : null;
        if (snapshot is not null) await Retry(() => store.SetEvidenceAsync(id, snapshot, null));
        await PublishAsync(id, AlertFeed.Raised, w.FiredAt);
        logger.LogInformation("alert {Id}: {Kind} on {Camera} [{Where}]: {Detail}", id, e.Kind, w.Camera, e.Where, e.Detail);
        if (!room)
        {
            // Said once by the guard when it began; one line per alert at the alerts' own level.
            logger.LogInformation("alert {Id}: no snapshot or clip: the data folder's disk is below retention.min_free_mb", id);
            return true;
        }
        StartClip(id, w, raisedAt);
        return true;
    }

    private void StartClip(long id, RaisedWork w, DateTimeOffset raisedAt)
    {
        int pending;
        lock (_clips)
        {
            _clips.RemoveAll(t => t.IsCompleted);
            pending = _clips.Count;
        }
        if (pending >= MostClipsPending)
        {
            logger.LogWarning("alert {Id}: no clip: {Pending} clips are still being made (alerts are coming faster than clips can be encoded); its snapshot is kept",
                id, pending);
            return;
        }
        var clip = ClipAsync(id, w, raisedAt);
        lock (_clips) _clips.Add(clip);
    }

    /// <summary>
    /// Clips waiting for their last seconds or for the encoder, beyond which an alert gets its snapshot only. Each holds
    /// the frames of its seconds: when alerts come faster than clips are encoded (a busy zone raising one a second; the
    /// encoder is shared by every camera), an unbounded queue held every frame since it began (memory grew by about
    /// 15 MB a minute on the demo) and delayed each clip, and the service's stop, by minutes.
    /// </summary>
    public int MostClipsPending { get; init; } = 12;

    private async Task ClipAsync(long id, RaisedWork w, DateTimeOffset raisedAt)
    {
        try
        {
            var (from, until) = ClipSpan(raisedAt);
            var deadline = DateTimeOffset.Now + TimeSpan.FromSeconds(evidence.AfterS + 15);
            // Its seconds after, unless the source stops first (a lost stream, a looped file's end): the clip then ends there.
            bool SecondsAfterToCome() => w.Ring.Latest is not { } latest || (latest.Run == w.Frame.Run && latest.Clock < until);
            while (!_stopping.IsCancellationRequested && SecondsAfterToCome() && DateTimeOffset.Now < deadline)
                await Task.Delay(200, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            var frames = w.Ring.Between(from, until, w.Frame.Run);
            if (frames.Count < 2)
            {
                logger.LogWarning("alert {Id}: no clip: its seconds are no longer in memory (the database took the alert late); its snapshot is kept", id);
                return;
            }
            if (w.Ring.Latest is { } last && last.Run != w.Frame.Run && frames[^1].Clock < until)
                logger.LogWarning("alert {Id}: its clip ends {After:0.#} s after the alert: the camera's source stopped then", id,
                    (frames[^1].Clock - raisedAt).TotalSeconds);
            if (!await space.RoomForEvidenceAsync(_abandon.Token))
            {
                logger.LogWarning("alert {Id}: no clip: the data folder's disk is below retention.min_free_mb; its snapshot is kept", id);
                return;
            }
            var clip = await recorder.ClipAsync(id, w.Camera, raisedAt, frames, w.Marks, _abandon.Token, Beginning(w, from));
            if (clip is null) return;
            try
            {
                await Retry(() => store.SetEvidenceAsync(id, null, clip));
            }
            catch (DbException e)
            {
                // Recorded once the database is back, in order with the alerts waiting for it; unless the service is stopping.
                if (!_work.Writer.TryWrite(new ClipWork(id, clip)))
                    logger.LogError("alert {Id}: clip made but not recorded in the database ({Message}): {Clip}", id, e.Message, clip);
                return;
            }
            await PublishAsync(id, AlertFeed.Updated, 0);
        }
        catch (Exception e) when (e is DbException or StorageException or InvalidOperationException)
        {
            logger.LogError("alert {Id}: clip not recorded in the database: {Message}", id, e.Message);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            logger.LogWarning("alert {Id}: no clip: the service had to stop before it was made; its snapshot is kept", id);
        }
    }

    /// <summary>
    /// An event that began long before it was raised (an abandoned object is reported a dwell time after
    /// its owner left): the clip opens on that beginning (a few seconds around it, one frame a second,
    /// from the camera's look-back) before the seconds around the alert.
    /// </summary>
    private static IReadOnlyList<KeptFrame> Beginning(RaisedWork w, DateTimeOffset clipStart)
    {
        var began = w.Event.StartClock;
        if (w.LookBack is null || began >= clipStart) return [];
        return w.LookBack.Between(began - BeginningBefore, Min(began + BeginningAfter, clipStart - TimeSpan.FromSeconds(1)), w.Frame.Run);
    }

    private static readonly TimeSpan BeginningBefore = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan BeginningAfter = TimeSpan.FromSeconds(3);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private async Task<bool> RecordClipAsync(ClipWork w)
    {
        try
        {
            await store.SetEvidenceAsync(w.Id, null, w.Clip);
        }
        catch (DbException e) when (!Database.Refuses(e))
        {
            return false;
        }
        await PublishAsync(w.Id, AlertFeed.Updated, 0);
        return true;
    }

    private static NewAlert NewAlertOf(RaisedWork w)
    {
        var e = w.Event;
        return new NewAlert(w.Camera, e.Kind, e.Where, e.StartClock, e.ClockAt(e.RaisedAt), Math.Round(e.Score, 3), Box(e), e.TrackIds, e.Detail);
    }

    /// <summary>An entry of the spool: an alert stored late, with its snapshot but no clip; or the end or clip of an alert.</summary>
    private async Task<bool> StoreSpooledAsync(SpooledAlert entry)
    {
        if (entry.Alert is not { } alert)
        {
            if ((entry.Id ?? (_storedRefs.TryGetValue(entry.Ref!, out var byRef) ? byRef : null)) is not { } stored)
            {
                logger.LogWarning("{Spool}: {Entry}: its alert is not stored (a service killed while storing the spool had stored it already); skipped",
                    _spoolPath, entry.Describe());
                return true;
            }
            try
            {
                if (entry.Ended is { } end) await store.CloseAsync(stored, end);
                if (entry.Clip is { } clip) await store.SetEvidenceAsync(stored, null, clip);
            }
            catch (DbException e) when (!Database.Refuses(e))
            {
                return false;
            }
            if (entry.Ref is { } endedRef) _storedRefs.Remove(endedRef);
            await PublishAsync(stored, AlertFeed.Updated, 0);
            return true;
        }
        long id;
        try
        {
            id = await store.InsertAsync(alert);
        }
        catch (DbException e) when (!Database.Refuses(e))
        {
            return false;
        }
        if (entry.Ref is { } alertRef) _storedRefs[alertRef] = id;
        var room = await space.RoomForEvidenceAsync();
        if (entry.Snapshot is { } jpeg && room && recorder.SaveSnapshot(id, alert.Camera, alert.Raised, () => jpeg) is { } snapshot)
            await Retry(() => store.SetEvidenceAsync(id, snapshot, null));
        await PublishAsync(id, AlertFeed.Raised, 0);
        if (room && entry.Ref is { } clipRef && _clipSources.Remove(clipRef, out var source)) StartClip(id, source, alert.Raised);
        logger.LogInformation("alert {Id}: {Kind} on {Camera} [{Where}], raised {Raised:O}, stored late from {Spool}: {Detail}",
            id, alert.Kind, alert.Camera, alert.Zone, alert.Raised, _spoolPath, alert.Detail);
        return true;
    }

    private async Task<bool> CloseAsync(ClosedWork w)
    {
        var key = Key(w.Camera, w.Event);
        if (StoredIdOf(key) is not { } id || w.Event.End is not { } end) return true;
        try
        {
            await store.CloseAsync(id, w.Event.ClockAt(end));
        }
        catch (DbException e) when (!Database.Refuses(e))
        {
            return false;
        }
        Forget(key);
        await PublishAsync(id, AlertFeed.Updated, 0);
        return true;
    }

    /// <summary>The id of an alert stored, whether it went through the spool or not; null while it waits.</summary>
    private long? StoredIdOf(EventKey key) =>
        _open.TryGetValue(key, out var id) ? id : _spooledRefs.TryGetValue(key, out var alertRef) && _storedRefs.TryGetValue(alertRef, out id) ? id : null;

    /// <summary>The alert has ended: nothing more will refer to it.</summary>
    private void Forget(EventKey key)
    {
        _open.Remove(key);
        if (_spooledRefs.Remove(key, out var alertRef)) _storedRefs.Remove(alertRef);
    }

    private async Task PublishAsync(long id, string type, long firedAt)
    {
        if (await store.GetAsync(id) is { } record) feed.Publish(new FeedItem(type, AlertView.From(record), firedAt));
    }


    private static EventKey Key(string camera, SceneEvent e) => new(camera, e.Kind, e.Where, e.Start, e.RaisedAt);

    /// <summary>
    /// A step after an alert is stored (its snapshot's or clip's path): a database briefly unavailable (a restart, a failover)
    /// must not cost it. The alert itself goes to the spool at its first refusal instead, where nothing is lost waiting.
    /// </summary>
    private async Task<T> Retry<T>(Func<Task<T>> action)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (DbException e) when (attempt < 4 && !Database.Refuses(e))
            {
                var wait = Backoff.Delay(attempt, 0.5, 8);
                logger.LogWarning("database error ({Message}); retrying in {Wait:0.#} s", e.Message, wait.TotalSeconds);
                await Task.Delay(wait);
            }
        }
    }

    private Task Retry(Func<Task> action) => Retry(async () =>
    {
        await action();
        return true;
    });
}
