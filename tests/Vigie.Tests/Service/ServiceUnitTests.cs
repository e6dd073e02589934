using OpenCvSharp;
using Vigie.Config;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Service;
using Vigie.Service.Api;
using Vigie.Service.Cameras;
using Vigie.Service.Evidence;
using Vigie.Service.Notifications;
using Vigie.Video;

namespace Vigie.Tests.Service;

public class ServiceUnitTests
{
    [Fact]
    public void Measurements_keep_one_point_a_second_for_an_hour_and_start_again_when_the_clock_goes_back()
    {
        var series = new CameraMeasurements();
        var start = DateTimeOffset.UnixEpoch;
        Vigie.Analytics.Measurement Persons(double value) => new("hall", "left", "persons", value, "persons");
        // 5 frames a second for 10 s: one point each second, the first value of the second.
        for (int frame = 0; frame < 50; frame++) series.Record(start.AddSeconds(frame * 0.2), [Persons(frame)]);
        var persons = Assert.Single(series.Read());
        Assert.Equal(("left", "persons", "persons"), (persons.Where, persons.Name, persons.Unit));
        Assert.Equal(Enumerable.Range(0, 10).Select(s => (double)s * 5), persons.Points.Select(p => p.Value));
        Assert.Equal(5, series.Read(start.AddSeconds(5)).Single().Points.Count);
        // Two hours on, only the last hour is kept.
        for (int second = 10; second < 7200; second++) series.Record(start.AddSeconds(second), [Persons(1)]);
        var kept = series.Read().Single().Points;
        Assert.Equal(3601, kept.Count);
        Assert.Equal(start.AddSeconds(3599), kept[0].Time);
        // A looping file starts its clock again: the series starts afresh.
        series.Record(start.AddSeconds(100), [Persons(7)]);
        Assert.Equal([7.0], series.Read().Single().Points.Select(p => p.Value));
    }

    [Fact]
    public void Reconnection_waits_double_each_time_up_to_the_limit()
    {
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(0, 7).Select(a => Backoff.Delay(a, 1, 30).TotalSeconds));
        Assert.Equal(30, Backoff.Delay(1000, 1, 30).TotalSeconds);
    }

    private sealed class Failing : Microsoft.Extensions.Hosting.BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("the loop broke");
        }
    }

    private sealed class Waiting : Microsoft.Extensions.Hosting.BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }

    [Fact]
    public async Task A_background_service_that_failed_is_found_after_the_host_stopped_so_vigie_exits_with_a_failure()
    {
        using var failing = new Failing();
        using var waiting = new Waiting();
        await failing.StartAsync(CancellationToken.None);
        await waiting.StartAsync(CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.ExecuteTask!);

        var failures = VigieServer.Failures([waiting, failing]);
        await waiting.StopAsync(CancellationToken.None);

        Assert.Equal([("Failing", "the loop broke")], failures.Select(f => (f.Service, f.Error.Message)));
        Assert.Empty(VigieServer.Failures([waiting]));
    }

    [Fact]
    public void Camera_names_become_one_mqtt_topic_level() => Assert.Equal("hall_b__1_", MqttPublisher.TopicLevel("hall/b_#1+"));

    [Fact]
    public void Service_settings_errors_name_the_field()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            service:
              listen: ftp://somewhere
              storage: { type: postgres }
              evidence: { before_s: -1 }
              reconnect: { initial_s: 5, max_s: 1 }
              notifications:
                mqtt: { port: 70000, topic: "vigie/#" }
                webhooks: [ { url: "not a url", secret: short } ]
            """, "test"));
        foreach (var field in new[] { "service.listen", "service.storage.connection", "service.evidence.before_s", "service.reconnect.max_s",
                     "service.notifications.mqtt.port", "service.notifications.mqtt.topic", "service.notifications.webhooks[0].url",
                     "service.notifications.webhooks[0].secret" })
            Assert.Contains(e.Errors, m => m.StartsWith(field + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void Security_and_retention_errors_name_the_field()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            service:
              security: { session_hours: 0, idle_minutes: -1, lockout_attempts: 0, lockout_minutes: 0, sign_ins_per_second: 0 }
              retention: { evidence_days: 400, alert_months: 6, purge_every_minutes: 0, min_free_mb: -1 }
              trusted_proxies: [127.0.0.1, proxy.example.org]
            """, "test"));
        foreach (var field in new[] { "service.security.session_hours", "service.security.idle_minutes", "service.security.lockout_attempts",
                     "service.security.lockout_minutes", "service.security.sign_ins_per_second", "service.retention.evidence_days",
                     "service.retention.purge_every_minutes", "service.retention.min_free_mb", "service.trusted_proxies[1]" })
            Assert.Contains(e.Errors, m => m.StartsWith(field + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void A_review_needs_a_decision_and_for_a_dismissal_a_listed_reason()
    {
        Assert.Empty(AlertEndpoints.ValidateReview(new ReviewRequest("confirmed", null, null)));
        Assert.Empty(AlertEndpoints.ValidateReview(new ReviewRequest("dismissed", "weather_or_light", null)));
        Assert.Contains("reason", AlertEndpoints.ValidateReview(new ReviewRequest("dismissed", "bored", null)).Keys);
        Assert.Contains("note", AlertEndpoints.ValidateReview(new ReviewRequest("dismissed", "other", "")).Keys);
    }

    [Fact]
    public void The_frame_ring_keeps_only_its_span_and_keeps_a_restarted_source_s_runs_apart()
    {
        var ring = new FrameRing(TimeSpan.FromSeconds(4));
        var t0 = DateTimeOffset.UtcNow;
        for (int i = 0; i <= 50; i++) ring.Add(new KeptFrame(TimeSpan.FromSeconds(i * 0.2), t0.AddSeconds(i * 0.2), [], []) { Run = 1 });
        Assert.Equal(21, ring.Between(t0, t0.AddHours(1), run: 1).Count); // 6.0 s back to 10.0 s
        Assert.Equal(6, ring.Between(t0.AddSeconds(8), t0.AddSeconds(9), run: 1).Count);

        // The source restarted a second later, its times from zero again: the seconds before the cut stay, apart.
        for (int i = 0; i <= 5; i++) ring.Add(new KeptFrame(TimeSpan.FromSeconds(i * 0.2), t0.AddSeconds(11 + i * 0.2), [], []) { Run = 2 });
        Assert.Equal(11, ring.Between(t0, t0.AddHours(1), run: 1).Count); // 8.0 s to 10.0 s: 4 s before the last frame
        Assert.Equal(6, ring.Between(t0, t0.AddHours(1), run: 2).Count);
        Assert.Empty(ring.Between(t0.AddSeconds(10.5), t0.AddHours(1), run: 1));

        // The system's time set back an hour, then the source restarted: what was kept goes, rather than for an hour.
        ring.Add(new KeptFrame(TimeSpan.Zero, t0.AddHours(-1), [], []) { Run = 3 });
        Assert.Single(ring.Between(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, run: 3));
        Assert.Empty(ring.Between(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, run: 2));
    }

    [Fact]
    public void Evidence_frames_show_no_detectable_face_and_pixelate_people()
    {
        using var frame = Perception.TestImages.WithAFace();
        using var faces = new FaceDetector(TestPaths.Model("yunet_face.onnx"));
        Assert.NotEmpty(faces.Detect(frame));

        var filter = new PrivacyFilter(faces);
        using var image = frame.Clone();
        var person = new Box(20, 300, 60, 90);
        filter.Apply(image, [person]);
        Assert.Empty(faces.Detect(image));
        // Inside a person's box only 12x12-pixel-or-larger uniform blocks remain.
        using var roi = new Mat(image, new Rect(20, 300, 60, 90));
        var distinct = new HashSet<Vec3b>();
        int rows = roi.Rows, cols = roi.Cols;
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++)
                distinct.Add(roi.At<Vec3b>(y, x));
        Assert.True(distinct.Count <= (60 / 5) * (90 / 7), $"{distinct.Count} colours left in the pixelated box");
    }

    [Fact]
    public void A_file_that_is_not_a_face_model_is_refused_when_loaded()
    {
        var bogus = Path.Combine(TestPaths.TempFolder(), "face.onnx");
        File.WriteAllBytes(bogus, new byte[1000]);
        Assert.Throws<InvalidDataException>(() => new FaceDetector(bogus));
        Assert.Throws<FileNotFoundException>(() => new FaceDetector("/nonexistent/face.onnx"));
    }
}
