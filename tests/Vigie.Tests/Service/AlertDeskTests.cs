using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Vigie.Analytics;
using Vigie.Config;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Service.Alerts;
using Vigie.Service.Evidence;
using Vigie.Service.Notifications;
using Vigie.Service.Storage;
using Vigie.Video;

namespace Vigie.Tests.Service;

public class AlertDeskTests
{
    private sealed class Warnings : ILogger<AlertDesk>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
                lock (Lines) Lines.Add(formatter(state, exception));
        }
    }

    /// <summary>Frames of the two seconds before the alerts and none after: each clip waits for its last second until the desk stops.</summary>
    private static FrameRing RingBefore(DateTimeOffset start)
    {
        var ring = new FrameRing(TimeSpan.FromSeconds(10));
        using var picture = new Mat(180, 320, MatType.CV_8UC3, Scalar.Gray);
        var jpeg = picture.ImEncode(".jpg");
        for (int i = 0; i <= 10; i++) ring.Add(new KeptFrame(TimeSpan.FromSeconds(0.2 * i), start + TimeSpan.FromSeconds(0.2 * i), jpeg, []));
        return ring;
    }

    private static async Task RaiseAsync(AlertDesk desk, AlertStore store, FrameRing ring, DateTimeOffset start, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var at = TimeSpan.FromSeconds(2 + 0.01 * i);
            var e = new SceneEvent("cam", EventKinds.Intrusion, "zone", at, null, at, start + at, 0.9f, [i], new Box(0.1f, 0.1f, 0.2f, 0.2f), "person in zone");
            desk.Raise("cam", e, ring.Latest!, new AlertMarks(e.Box, [i], []), ring, null, Stopwatch.GetTimestamp());
        }
        for (var waited = Stopwatch.StartNew(); await store.GetAsync(count) is not { Snapshot: not null } && waited.Elapsed < TimeSpan.FromSeconds(20);)
            await Task.Delay(50);
    }

    [Fact]
    public async Task Alerts_coming_faster_than_clips_keep_their_snapshot_but_only_a_bounded_number_of_clips_wait()
    {
        var folder = TestPaths.TempFolder();
        await using var database = await Database.OpenAsync(new StorageConfig(), folder);
        var store = new AlertStore(database);
        var warnings = new Warnings();
        var recorder = new EvidenceRecorder(folder, 320, PrivacyFilter.PeopleOnly, NullLogger.Instance);
        var desk = new AlertDesk(store, recorder, new AlertFeed(), new EvidenceConfig { BeforeS = 2, AfterS = 1 }, warnings) { MostClipsPending = 3 };
        var start = DateTimeOffset.UtcNow;
        await desk.StartAsync(CancellationToken.None);

        await RaiseAsync(desk, store, RingBefore(start), start, 5);
        await desk.StopAsync(CancellationToken.None);

        var alerts = new List<AlertRecord>();
        for (long id = 1; id <= 5; id++) alerts.Add((await store.GetAsync(id))!);
        Assert.All(alerts, a => Assert.NotNull(a.Snapshot));
        Assert.Equal([1, 2, 3], alerts.Where(a => a.Clip is not null).Select(a => a.Id));
        Assert.All(alerts.Where(a => a.Clip is not null), a => Assert.True(File.Exists(Path.Combine(folder, a.Clip!))));
        Assert.Equal(2, warnings.Lines.Count(l => l.Contains("no clip: 3 clips are still being made")));
    }

    [Fact]
    public async Task Out_of_time_to_stop_the_clips_not_made_are_given_up_before_the_face_model_is_disposed()
    {
        var folder = TestPaths.TempFolder();
        await using var database = await Database.OpenAsync(new StorageConfig(), folder);
        var store = new AlertStore(database);
        var warnings = new Warnings();
        var faces = new FaceDetector(TestPaths.Model("yunet_face.onnx"));
        var recorder = new EvidenceRecorder(folder, 320, new PrivacyFilter(faces), NullLogger.Instance);
        var desk = new AlertDesk(store, recorder, new AlertFeed(), new EvidenceConfig { BeforeS = 2, AfterS = 1 }, warnings);
        var start = DateTimeOffset.UtcNow;
        await desk.StartAsync(CancellationToken.None);
        await RaiseAsync(desk, store, RingBefore(start), start, 4);

        // The host's time to stop already spent, then the face model disposed at once, as the host's services are.
        await desk.StopAsync(new CancellationToken(canceled: true));
        faces.Dispose();
        await Task.Delay(500);

        var alerts = new List<AlertRecord>();
        for (long id = 1; id <= 4; id++) alerts.Add((await store.GetAsync(id))!);
        Assert.All(alerts, a => Assert.NotNull(a.Snapshot));
        var givenUp = warnings.Lines.Count(l => l.Contains("no clip: the service had to stop before it was made"));
        Assert.True(givenUp >= 1, string.Join("\n", warnings.Lines));
        Assert.Equal(4, givenUp + alerts.Count(a => a.Clip is not null));
        Assert.Empty(Directory.GetFiles(folder, "*.part*", SearchOption.AllDirectories));
        Assert.Throws<ObjectDisposedException>(() => faces.Detect(new Mat(32, 32, MatType.CV_8UC3)));
    }
}
