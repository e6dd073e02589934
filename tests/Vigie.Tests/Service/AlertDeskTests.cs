using System.Text.Json;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Vigie.Alerts;
using Vigie.Analytics;
using Vigie.Config;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Service.Alerts;
using Vigie.Service.Evidence;
using Vigie.Service.Governance;
using Vigie.Service.Notifications;
using Vigie.Service.Storage;
using Vigie.Video;

namespace Vigie.Tests.Service;

public class AlertDeskTests
{
    /// <summary>A started alert desk on its own database and evidence folder, with frames of the two seconds before its alerts.</summary>
    private sealed class DeskRun : IAsyncDisposable
    {
        private readonly Database _database;
        private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
        private readonly FrameRing _ring = new(TimeSpan.FromSeconds(10));

        private DeskRun(string folder, Database database, AlertDesk desk, AlertFeed feed, CapturedLog<AlertDesk> warnings)
        {
            (Folder, _database, Desk, Feed, Warnings) = (folder, database, desk, feed, warnings);
            // No frame after the alerts: each clip waits for its last second until the desk stops.
            using var picture = new Mat(180, 320, MatType.CV_8UC3, Scalar.Gray);
            var jpeg = picture.ImEncode(".jpg");
            for (int i = 0; i <= 10; i++) _ring.Add(new KeptFrame(TimeSpan.FromSeconds(0.2 * i), _start + TimeSpan.FromSeconds(0.2 * i), jpeg, []));
        }

        public string Folder { get; }
        public AlertDesk Desk { get; }
        public AlertFeed Feed { get; }
        public CapturedLog<AlertDesk> Warnings { get; }
        public AlertStore Store => new(_database);

        /// <param name="folder">The data folder of an earlier run, to start again on; a new one when null.</param>
        public static async Task<DeskRun> StartAsync(PrivacyFilter privacy, int mostClipsPending, StorageConfig? storage = null, string? folder = null,
            int mostWaiting = 1000)
        {
            folder ??= TestPaths.TempFolder();
            var database = await Database.OpenAsync(storage ?? new StorageConfig(), folder);
            var warnings = new CapturedLog<AlertDesk>();
            var store = new AlertStore(database);
            var recorder = new EvidenceRecorder(folder, 320, privacy, TimeZoneInfo.Utc, NullLogger.Instance);
            var space = new FreeSpaceGuard(new RetentionConfig(), store, recorder, new AuditLog(database, folder), NullLogger<FreeSpaceGuard>.Instance);
            var feed = new AlertFeed();
            var desk = new AlertDesk(store, recorder, space, feed, new EvidenceConfig { BeforeS = 2, AfterS = 1 }, warnings)
                { MostClipsPending = mostClipsPending, MostWaiting = mostWaiting };
            await desk.StartAsync(CancellationToken.None);
            return new DeskRun(folder, database, desk, feed, warnings);
        }

        /// <summary>Raises this many alerts at once and waits until the last is stored with its snapshot.</summary>
        public async Task RaiseAsync(int count)
        {
            for (int i = 0; i < count; i++) Raise(i);
            await StoredAsync(count, TimeSpan.FromSeconds(20));
        }

        /// <summary>Frames every 0.2 s from the last one to this time: the seconds after the alerts, which their clips wait for.</summary>
        public void FramesUntil(TimeSpan time)
        {
            var jpeg = _ring.Latest!.Jpeg;
            for (var t = _ring.Latest.Time + TimeSpan.FromSeconds(0.2); t <= time; t += TimeSpan.FromSeconds(0.2))
                _ring.Add(new KeptFrame(t, _start + t, jpeg, []));
        }

        /// <summary>The source starts again (a lost stream reconnected, a looped file): a frame of its next run, its stream time zero again.</summary>
        public void SourceRestartsAt(TimeSpan clock) => _ring.Add(new KeptFrame(TimeSpan.Zero, _start + clock, _ring.Latest!.Jpeg, []) { Run = 1 });

        /// <summary>Raises the alert of track i, 2 s (plus i hundredths) after the frames began.</summary>
        public SceneEvent Raise(int i, string detail = "person in zone")
        {
            var at = TimeSpan.FromSeconds(2 + 0.01 * i);
            var e = new SceneEvent("cam", EventKinds.Intrusion, "zone", at, null, at, _start + at, 0.9f, [i], new Box(0.1f, 0.1f, 0.2f, 0.2f), detail);
            Desk.Raise("cam", e, _ring.Latest!, new AlertMarks(e.Box, [i], []), _ring, null, Stopwatch.GetTimestamp());
            return e;
        }

        /// <summary>Waits until alert id is stored with its snapshot; returns whether it was.</summary>
        public async Task<bool> StoredAsync(long id, TimeSpan timeout)
        {
            for (var waited = Stopwatch.StartNew(); await Store.GetAsync(id) is not { Snapshot: not null } && waited.Elapsed < timeout;)
                await Task.Delay(50);
            return await Store.GetAsync(id) is { Snapshot: not null };
        }

        public async Task<List<AlertRecord>> AlertsAsync(int count)
        {
            var alerts = new List<AlertRecord>();
            for (long id = 1; id <= count; id++) alerts.Add((await Store.GetAsync(id))!);
            return alerts;
        }

        public ValueTask DisposeAsync() => _database.DisposeAsync();
    }

    private static StorageConfig InNewDatabase(PostgresServer postgres) => new() { Type = "postgres", Connection = postgres.NewDatabase() };

    [Fact]
    public async Task Alerts_coming_faster_than_clips_keep_their_snapshot_but_only_a_bounded_number_of_clips_wait()
    {
        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 3);

        await run.RaiseAsync(5);
        await run.Desk.StopAsync(CancellationToken.None);

        var alerts = await run.AlertsAsync(5);
        Assert.All(alerts, a => Assert.NotNull(a.Snapshot));
        Assert.Equal([1, 2, 3], alerts.Where(a => a.Clip is not null).Select(a => a.Id));
        Assert.All(alerts.Where(a => a.Clip is not null), a => Assert.True(File.Exists(Path.Combine(run.Folder, a.Clip!))));
        Assert.Equal(2, run.Warnings.Lines.Count(l => l.Contains("no clip: 3 clips are still being made")));
    }

    [Fact]
    public async Task An_alert_raised_just_before_its_camera_s_stream_is_lost_keeps_a_clip_of_the_seconds_before()
    {
        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12);
        run.Raise(0);
        Assert.True(await run.StoredAsync(1, TimeSpan.FromSeconds(20)));

        run.SourceRestartsAt(TimeSpan.FromSeconds(2.5)); // before the alert's second after had come
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await run.Store.GetAsync(1))!.Clip is not null, TimeSpan.FromSeconds(10)),
            string.Join("\n", run.Warnings.Lines));
        await run.Desk.StopAsync(CancellationToken.None);

        using var clip = new VideoCapture(Path.Combine(run.Folder, (await run.Store.GetAsync(1))!.Clip!));
        Assert.True(clip.FrameCount >= 2, $"{clip.FrameCount} frames");
        Assert.Contains(run.Warnings.Lines, l => l.StartsWith("alert 1: its clip ends 0 s after the alert: the camera's source stopped then", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Out_of_time_to_stop_the_clips_not_made_are_given_up_before_the_face_model_is_disposed()
    {
        var faces = new FaceDetector(TestPaths.Model("yunet_face.onnx"));
        await using var run = await DeskRun.StartAsync(new PrivacyFilter(faces), mostClipsPending: 12);
        await run.RaiseAsync(4);

        // The host's time to stop already spent, then the face model disposed at once, as the host's services are.
        await run.Desk.StopAsync(new CancellationToken(canceled: true));
        faces.Dispose();
        await Task.Delay(500);

        var alerts = await run.AlertsAsync(4);
        Assert.All(alerts, a => Assert.NotNull(a.Snapshot));
        var givenUp = run.Warnings.Lines.Count(l => l.Contains("no clip: the service had to stop before it was made"));
        Assert.True(givenUp >= 1, string.Join("\n", run.Warnings.Lines));
        Assert.Equal(4, givenUp + alerts.Count(a => a.Clip is not null));
        Assert.Empty(Directory.GetFiles(run.Folder, "*.part*", SearchOption.AllDirectories));
        using var picture = new Mat(32, 32, MatType.CV_8UC3);
        Assert.Throws<ObjectDisposedException>(() => faces.Detect(picture));
    }

    [Fact]
    public async Task Alerts_raised_while_the_database_is_down_wait_in_order_and_are_stored_once_it_is_back()
    {
        using var postgres = new PostgresServer();
        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12,
            InNewDatabase(postgres));
        run.Raise(0);
        Assert.True(await run.StoredAsync(1, TimeSpan.FromSeconds(20)));
        var feed = run.Feed.Subscribe();

        postgres.Stop();
        var first = run.Raise(1);
        run.Raise(2);
        run.Desk.Close("cam", first with { End = first.RaisedAt + TimeSpan.FromSeconds(1) });
        run.FramesUntil(TimeSpan.FromSeconds(4)); // the first alert's clip is made while the database is down
        // Longer than an alert's 7.5 s of retries before 2026-11-25, after which it used to be only written to the log.
        await Task.Delay(TimeSpan.FromSeconds(11));
        Assert.True(run.Desk.WaitingForDatabase >= 3, $"{run.Desk.WaitingForDatabase} waiting"); // two alerts, the end of one (and a clip)
        // Both shown to the console already, without an id, as waiting.
        var shown = new List<FeedItem>();
        while (feed.TryRead(out var item)) shown.Add(item);
        Assert.Equal([[1], [2]], shown.Where(i => i.Type == AlertFeed.Waiting).Select(i => i.Alert.TrackIds.ToArray()));
        Assert.All(shown.Where(i => i.Type == AlertFeed.Waiting), i => Assert.Equal((0L, "waiting"), (i.Alert.Id, i.Alert.Status)));

        postgres.Start();
        // Ids after a crash skip what the sequence had reserved: the alerts are found by search.
        async Task<List<AlertRecord>> Stored() => [.. (await run.Store.SearchAsync(new AlertQuery())).Where(a => a.Snapshot is not null).OrderBy(a => a.Id)];
        // The end of the first comes after both alerts in the file: stored a moment after them.
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await Stored()).Count == 3 && run.Desk.WaitingForDatabase == 0,
            TimeSpan.FromSeconds(30)), string.Join("\n", run.Warnings.Lines));
        var alerts = await Stored();
        Assert.Equal([[0], [1], [2]], alerts.Select(a => a.TrackIds.ToArray()));
        Assert.NotNull(alerts[1].Ended);
        Assert.Null(alerts[2].Ended);
        // Every clip recorded too, the one made during the outage included (its seconds were still in memory for the others).
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await Stored()).All(a => a.Clip is not null), TimeSpan.FromSeconds(30)),
            string.Join("\n", run.Warnings.Lines));
        Assert.Contains(run.Warnings.Lines, l => l.StartsWith("database unavailable: alerts wait in", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Warnings.Lines, l => l.Contains("NOT STORED"));
    }

    [Fact]
    public async Task Alerts_still_waiting_for_the_database_when_the_service_stops_are_stored_at_the_next_start()
    {
        using var postgres = new PostgresServer();
        var storage = InNewDatabase(postgres);
        string folder;
        await using (var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12, storage))
        {
            folder = run.Folder;
            run.Raise(0);
            Assert.True(await run.StoredAsync(1, TimeSpan.FromSeconds(20)));

            postgres.Stop();
            var first = run.Raise(1);
            run.Raise(2);
            run.Desk.Close("cam", first with { End = first.RaisedAt + TimeSpan.FromSeconds(1) });
            run.FramesUntil(TimeSpan.FromSeconds(4)); // the clip of the alert stored before the outage is made during it
            Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(run.Desk.WaitingForDatabase == 4), TimeSpan.FromSeconds(30)),
                $"{run.Desk.WaitingForDatabase} waiting: " + string.Join("\n", run.Warnings.Lines));
            await run.Desk.StopAsync(CancellationToken.None);
            Assert.Contains(run.Warnings.Lines, l => l.Contains("4 alerts (or ends and clips of alerts) wait in"));
            Assert.DoesNotContain(run.Warnings.Lines, l => l.Contains("NOT STORED"));
        }

        // The two alerts, the end of the first and the clip of the stored one, in order; the snapshots made at the stop.
        var spooled = Spooled(AlertSpool.PathIn(folder));
        Assert.Equal(4, spooled.Count);
        Assert.Equal([[1], [2]], spooled.Where(e => e.Alert is not null).Select(e => e.Alert!.TrackIds.ToArray()));
        Assert.Equal((spooled[0].Ref, true), (spooled[2].Ref, spooled[2].Ended is not null));
        Assert.Equal((1L, true), (spooled[3].Id!.Value, spooled[3].Clip is not null));
        using (var snapshot = Cv2.ImDecode(spooled[0].Snapshot!, ImreadModes.Color)) Assert.Equal(320, snapshot.Width);

        postgres.Start();
        await using (var again = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12, storage, folder))
        {
            async Task<List<AlertRecord>> Stored() => [.. (await again.Store.SearchAsync(new AlertQuery())).OrderBy(a => a.Id)];
            Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await Stored()).Count == 3 && (await Stored())[0].Clip is not null,
                TimeSpan.FromSeconds(20)), string.Join("\n", again.Warnings.Lines));
            var alerts = await Stored();
            Assert.Equal([[0], [1], [2]], alerts.Select(a => a.TrackIds.ToArray()));
            Assert.All(alerts, a => Assert.True(File.Exists(Path.Combine(folder, a.Snapshot!))));
            Assert.True((alerts[1].Ended!.Value - spooled[2].Ended!.Value).Duration() < TimeSpan.FromMilliseconds(1)); // the database keeps milliseconds
            Assert.Null(alerts[2].Ended);
            Assert.True(File.Exists(Path.Combine(folder, alerts[0].Clip!)));
            Assert.Contains(again.Warnings.Lines, l => l.StartsWith("4 alerts (or ends and clips of alerts) waited for the database", StringComparison.Ordinal));
            Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(!File.Exists(AlertSpool.PathIn(folder))), TimeSpan.FromSeconds(5)));
            Assert.Equal(0, again.Desk.WaitingForDatabase);
            await again.Desk.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Alerts_of_an_outage_are_on_disk_at_once_and_stored_in_order_once_it_is_back()
    {
        using var postgres = new PostgresServer();
        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12, InNewDatabase(postgres));
        run.Raise(0);
        Assert.True(await run.StoredAsync(1, TimeSpan.FromSeconds(20)));

        postgres.Stop();
        var first = run.Raise(1);
        for (int i = 2; i <= 5; i++) run.Raise(i);
        run.Desk.Close("cam", first with { End = first.RaisedAt + TimeSpan.FromSeconds(1) });
        // In the file while the service runs, in order: a service killed now would store them at its next start.
        var spool = AlertSpool.PathIn(run.Folder);
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(run.Desk.WaitingForDatabase == 6), TimeSpan.FromSeconds(30)),
            $"{run.Desk.WaitingForDatabase} waiting: " + string.Join("\n", run.Warnings.Lines));
        var spooled = Spooled(spool);
        Assert.Equal([[1], [2], [3], [4], [5]], spooled.Where(e => e.Alert is not null).Select(e => e.Alert!.TrackIds.ToArray()));
        Assert.All(spooled.Where(e => e.Alert is not null), e => Assert.NotNull(e.Snapshot));
        Assert.Equal((spooled[0].Ref, true), (spooled[^1].Ref, spooled[^1].Ended is not null)); // the end of the first, by its ref

        postgres.Start();
        async Task<List<AlertRecord>> Stored() => [.. (await run.Store.SearchAsync(new AlertQuery())).Where(a => a.Snapshot is not null).OrderBy(a => a.Id)];
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await Stored()).Count == 6 && run.Desk.WaitingForDatabase == 0,
            TimeSpan.FromSeconds(30)), string.Join("\n", run.Warnings.Lines));
        var alerts = await Stored();
        Assert.Equal([[0], [1], [2], [3], [4], [5]], alerts.Select(a => a.TrackIds.ToArray()));
        Assert.NotNull(alerts[1].Ended);
        Assert.All(alerts.Skip(2), a => Assert.Null(a.Ended));
        Assert.All(alerts, a => Assert.True(File.Exists(Path.Combine(run.Folder, a.Snapshot!))));
        Assert.False(File.Exists(spool));
        Assert.DoesNotContain(run.Warnings.Lines, l => l.Contains("NOT STORED"));
        await run.Desk.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_alert_in_the_spool_still_gets_its_clip_when_the_database_is_back_while_its_seconds_are_in_memory()
    {
        using var postgres = new PostgresServer();
        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12, InNewDatabase(postgres));
        var spool = AlertSpool.PathIn(run.Folder);
        postgres.Stop();
        run.Raise(1);
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(File.Exists(spool) && Spooled(spool).Count == 1),
            TimeSpan.FromSeconds(30)), string.Join("\n", run.Warnings.Lines));
        run.FramesUntil(TimeSpan.FromSeconds(4)); // its second after comes

        postgres.Start();
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await run.Store.SearchAsync(new AlertQuery())).Any(a => a.Clip is not null),
            TimeSpan.FromSeconds(30)), string.Join("\n", run.Warnings.Lines));
        var stored = Assert.Single(await run.Store.SearchAsync(new AlertQuery()));
        Assert.Equal([1], stored.TrackIds);
        Assert.True(File.Exists(Path.Combine(run.Folder, stored.Clip!)));
        Assert.False(File.Exists(spool));
        await run.Desk.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task When_the_spool_cannot_be_written_either_a_waiting_alert_stays_in_memory_until_the_database_is_back()
    {
        using var postgres = new PostgresServer();
        var folder = TestPaths.TempFolder();
        Directory.CreateDirectory(AlertSpool.PathIn(folder)); // as unwritable as a full disk
        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12, InNewDatabase(postgres), folder);
        postgres.Stop();
        run.Raise(1);
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(run.Desk.WaitingForDatabase == 1), TimeSpan.FromSeconds(30)));

        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(run.Warnings.Lines.Any(l => l.Contains("cannot be written"))),
            TimeSpan.FromSeconds(10)), string.Join("\n", run.Warnings.Lines));
        await Task.Delay(TimeSpan.FromSeconds(3)); // a retry or two more
        Assert.Equal(1, run.Desk.WaitingForDatabase);
        Assert.Single(run.Warnings.Lines, l => l.Contains("cannot be written"));

        postgres.Start();
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await run.Store.SearchAsync(new AlertQuery())).Any(a => a.Snapshot is not null),
            TimeSpan.FromSeconds(30)), string.Join("\n", run.Warnings.Lines));
        Assert.Equal([1], Assert.Single(await run.Store.SearchAsync(new AlertQuery())).TrackIds);
        Assert.DoesNotContain(run.Warnings.Lines, l => l.Contains("NOT STORED"));
        await run.Desk.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task With_the_spool_unwritable_too_the_oldest_beyond_what_memory_keeps_goes_to_the_log_whole()
    {
        using var postgres = new PostgresServer();
        var folder = TestPaths.TempFolder();
        Directory.CreateDirectory(AlertSpool.PathIn(folder));
        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12, InNewDatabase(postgres), folder, mostWaiting: 1);
        postgres.Stop();
        run.Raise(1);
        run.Raise(2);
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(run.Warnings.Lines.Any(l => l.Contains("NOT STORED"))),
            TimeSpan.FromSeconds(30)), string.Join("\n", run.Warnings.Lines));
        var lost = Assert.Single(run.Warnings.Lines, l => l.Contains("NOT STORED"));
        Assert.StartsWith("alert NOT STORED: 2 already wait for the database", lost);
        Assert.Contains("\"track_ids\":[1]", lost);
        Assert.Equal(1, run.Desk.NotStored.Count); // health and the console's banner say so

        postgres.Start();
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await run.Store.SearchAsync(new AlertQuery())).Any(a => a.Snapshot is not null),
            TimeSpan.FromSeconds(30)), string.Join("\n", run.Warnings.Lines));
        Assert.Equal([2], Assert.Single(await run.Store.SearchAsync(new AlertQuery())).TrackIds);
        await run.Desk.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_alert_the_database_refuses_for_good_is_logged_whole_and_holds_up_no_later_alert()
    {
        using var postgres = new PostgresServer();
        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12,
            InNewDatabase(postgres));

        run.Raise(1, "person in zone\0"); // PostgreSQL text cannot hold NUL
        run.Raise(2);
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await run.Store.SearchAsync(new AlertQuery())).Any(a => a.Snapshot is not null),
            TimeSpan.FromSeconds(20)), string.Join("\n", run.Warnings.Lines));
        await run.Desk.StopAsync(CancellationToken.None);

        Assert.Equal([2], Assert.Single(await run.Store.SearchAsync(new AlertQuery())).TrackIds);
        var refused = Assert.Single(run.Warnings.Lines, l => l.Contains("NOT STORED"));
        Assert.StartsWith("alert NOT STORED: the database refuses it (22021", refused);
        Assert.Contains("\"track_ids\":[1]", refused);
        Assert.DoesNotContain(run.Warnings.Lines, l => l.StartsWith("database unavailable", StringComparison.Ordinal) || l.Contains("retrying"));
        Assert.Equal(0, run.Desk.WaitingForDatabase);
        Assert.Equal(1, run.Desk.NotStored.Count);
        Assert.False(File.Exists(AlertSpool.PathIn(run.Folder)));
    }

    private static SpooledAlert SpooledIntrusion(int track)
    {
        var at = DateTimeOffset.UtcNow;
        return SpooledAlert.Raised(new NewAlert("cam", EventKinds.Intrusion, "zone", at, at, 0.9, [0.1, 0.1, 0.2, 0.2], [track], "person in zone"), null);
    }

    /// <summary>Every entry of a spool file, stored or not.</summary>
    private static List<SpooledAlert> Spooled(string path) =>
        [.. File.ReadLines(path).Select(line => JsonSerializer.Deserialize<SpooledAlert>(line, JsonLinesWriter.Options)!)];

    internal static void WriteSpool(string folder, params SpooledAlert[] entries)
    {
        var (spool, _) = AlertSpool.Open(AlertSpool.PathIn(folder));
        using (spool) foreach (var entry in entries) spool.Append(entry);
    }

    [Fact]
    public async Task A_service_killed_while_it_stored_the_spool_stores_only_what_was_left_at_the_next_start()
    {
        var folder = TestPaths.TempFolder();
        WriteSpool(folder, SpooledIntrusion(1), SpooledIntrusion(2), SpooledIntrusion(3));
        // Killed once the first was stored, and while a line was being added.
        File.WriteAllText(AlertSpool.PathIn(folder) + ".stored", "1");
        File.AppendAllText(AlertSpool.PathIn(folder), "{\"ref\": \"5f1c\", \"al");

        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12, folder: folder);
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(!File.Exists(AlertSpool.PathIn(folder))), TimeSpan.FromSeconds(10)),
            string.Join("\n", run.Warnings.Lines));
        await run.Desk.StopAsync(CancellationToken.None);

        Assert.Equal([[2], [3]], (await run.Store.SearchAsync(new AlertQuery())).OrderBy(a => a.Id).Select(a => a.TrackIds.ToArray()));
        Assert.Contains(run.Warnings.Lines, l => l.StartsWith("2 alerts (or ends and clips of alerts) waited for the database", StringComparison.Ordinal));
        Assert.Contains(run.Warnings.Lines, l => l.Contains("line(s) 4 are not alerts and are skipped"));
        Assert.False(File.Exists(AlertSpool.PathIn(folder) + ".stored"));
    }

    [Fact]
    public async Task An_unreadable_line_of_the_spool_is_skipped_and_the_file_kept_whole()
    {
        var folder = TestPaths.TempFolder();
        WriteSpool(folder, SpooledIntrusion(7));
        File.AppendAllText(AlertSpool.PathIn(folder), "{\"id\": null, \"alert\": null}\nnot json\n");

        await using var run = await DeskRun.StartAsync(PrivacyFilter.PeopleOnly, mostClipsPending: 12, folder: folder);
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await run.Store.GetAsync(1)) is not null, TimeSpan.FromSeconds(10)));
        await run.Desk.StopAsync(CancellationToken.None);

        Assert.Equal([7], (await run.Store.GetAsync(1))!.TrackIds);
        Assert.Null(await run.Store.GetAsync(2));
        Assert.Contains(run.Warnings.Lines, l => l.Contains("line(s) 2, 3 are not alerts and are skipped"));
        var kept = Assert.Single(Directory.GetFiles(folder, AlertSpool.FileName + ".unreadable-*"));
        Assert.Equal(3, File.ReadAllLines(kept).Length);
        Assert.False(File.Exists(AlertSpool.PathIn(folder)));
    }
}
