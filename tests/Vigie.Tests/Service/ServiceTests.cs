using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MQTTnet;
using Vigie.Config;
using Vigie.Service.Api;
using Vigie.Service.Cameras;
using Vigie.Service.Notifications;
using Vigie.Service.Security;
using Vigie.Service.Storage;
using Vigie.Tests.Video;

using Vigie.Tests.Cli;

namespace Vigie.Tests.Service;

/// <summary>`vigie serve` against real parts: a GStreamer RTSP camera, mosquitto, an HTTP webhook receiver, SQLite.</summary>
public class ServiceTests
{
    private static readonly TimeSpan AlertTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task An_alert_from_a_live_camera_reaches_the_stream_the_api_mqtt_and_a_signed_webhook_with_blurred_evidence()
    {
        const string secret = "0123456789abcdef-test-secret";
        await using var camera = await RtspCamera.StartAsync();
        using var broker = await MosquittoBroker.StartAsync();
        using var webhook = new WebhookReceiver();
        var mqttMessages = new ConcurrentQueue<(string Topic, string Payload)>();
        using var mqtt = new MqttClientFactory().CreateMqttClient();
        mqtt.ApplicationMessageReceivedAsync += e =>
        {
            mqttMessages.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
            return Task.CompletedTask;
        };
        await mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).Build());
        await mqtt.SubscribeAsync("vigie/alerts/#");

        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(camera.Url), $"""
              notifications:
                mqtt: {"{"} host: 127.0.0.1, port: {broker.Port} {"}"}
                webhooks:
                  - url: {webhook.Url}
                    secret: {secret}
            """);
        using var stream = await service.OpenStreamAsync();
        var raised = await service.NextEventAsync(stream, AlertFeed.Raised, AlertTimeout);

        Assert.Equal(("gate", "intrusion", "forbidden", "new"), (raised.Camera, raised.Kind, raised.Zone, raised.Status));
        Assert.Equal($"/api/alerts/{raised.Id}/snapshot", raised.SnapshotUrl);
        var snapshot = await service.Http.GetAsync(raised.SnapshotUrl);
        Assert.Equal("image/jpeg", snapshot.Content.Headers.ContentType?.MediaType);
        Assert.True((await snapshot.Content.ReadAsByteArrayAsync()).Length > 1000);

        // The clip (2 s before to 2 s after) follows once the camera has delivered the seconds after the alert.
        AlertView withClip;
        do withClip = await service.NextEventAsync(stream, AlertFeed.Updated, AlertTimeout);
        while (withClip.Id != raised.Id || withClip.ClipUrl is null);
        var clipFile = Path.Combine(TestPaths.TempFolder(), "clip.mp4");
        await File.WriteAllBytesAsync(clipFile, await service.Http.GetByteArrayAsync(withClip.ClipUrl));
        var duration = ProbeDuration(clipFile);
        Assert.InRange(duration, 3.0, 5.0);

        var stored = await service.Store.GetAsync(raised.Id);
        Assert.NotNull(stored?.Clip);
        // The privacy safety net has learnt the camera's empty scene: frames kept for evidence carry it.
        Assert.NotNull(service.Service<CameraSupervisor>().Find("gate")?.Ring.Latest?.Background);
        var health = await service.GetAsync<CameraStatus>("/api/cameras/gate");
        Assert.Equal(CameraStates.Online, health.State);
        Assert.True(health.Fps > 2, $"fps {health.Fps}");

        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(!mqttMessages.IsEmpty), TimeSpan.FromSeconds(10)), "no MQTT message");
        var (topic, payload) = mqttMessages.First();
        Assert.Equal("vigie/alerts/gate/intrusion", topic);
        Assert.Equal(raised.Id, JsonSerializer.Deserialize<Notice>(payload, ApiJson.Options)!.Alert.Id);

        var call = await webhook.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebhookSender.Sign(secret, call.Timestamp, call.Body), call.Signature);
        Assert.NotEqual(WebhookSender.Sign("another secret of length", call.Timestamp, call.Body), call.Signature);
        Assert.Equal(raised.Id, JsonSerializer.Deserialize<Notice>(call.Body, ApiJson.Options)!.Alert.Id);
    }

    [Fact]
    public async Task An_abandoned_object_clip_opens_on_the_moment_it_was_left()
    {
        var video = Path.Combine(TestPaths.TempFolder(), "parcel.mp4");
        Vigie.Tests.Cli.StaticObjectCommandTests.ParcelScene.WriteVideo(video);
        await using var service = await ServiceUnderTest.StartAsync($"""
              - name: hall
                source: {video}
                use_cases:
                  abandoned_object: {"{"} dwell_s: 6, static_objects: true {"}"}
            """);
        using var stream = await service.OpenStreamAsync();
        var raised = await service.NextEventAsync(stream, AlertFeed.Raised, AlertTimeout);
        Assert.Equal("abandoned_object", raised.Kind);

        AlertView withClip;
        do withClip = await service.NextEventAsync(stream, AlertFeed.Updated, AlertTimeout);
        while (withClip.Id != raised.Id || withClip.ClipUrl is null);
        var clipFile = Path.Combine(TestPaths.TempFolder(), "clip.mp4");
        await File.WriteAllBytesAsync(clipFile, await service.Http.GetByteArrayAsync(withClip.ClipUrl));
        // 2 s before to 2 s after the alert, opened by the seconds around the moment the parcel was left
        // (6 s earlier: one frame a second, each held a second). Without that opening the clip lasts 4 s.
        Assert.InRange(ProbeDuration(clipFile), 6.5, 10.5);
    }

    [Fact]
    public async Task A_camera_that_drops_is_shown_reconnecting_and_comes_back_online()
    {
        var camera = await RtspCamera.StartAsync();
        var port = camera.Port;
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(camera.Url));
        async Task<CameraStatus> Health() => await service.GetAsync<CameraStatus>("/api/cameras/gate");
        try
        {
            Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await Health()).State == CameraStates.Online, TimeSpan.FromSeconds(30)));
            camera.Kill();
            await camera.DisposeAsync();
            Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await Health()).State == CameraStates.Reconnecting, TimeSpan.FromSeconds(30)));
            var down = await Health();
            Assert.NotNull(down.LastError);
            Assert.True(down.Reconnects >= 1);
            using (var anonymous = service.Anonymous())
            {
                var health = await anonymous.GetFromJsonAsync<JsonElement>("/api/health");
                Assert.Equal("degraded", health.GetProperty("status").GetString());
                Assert.Contains("1 camera(s) reconnecting or failed", health.GetProperty("problems")[0].GetString());
            }

            camera = await RtspCamera.StartAsync(port);
            Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await Health()).State == CameraStates.Online, TimeSpan.FromSeconds(30)),
                $"still {(await Health()).State}: {(await Health()).LastError}");
            using (var anonymous = service.Anonymous())
                Assert.Equal("ok", (await anonymous.GetFromJsonAsync<JsonElement>("/api/health")).GetProperty("status").GetString());
            var before = (await Health()).FramesAnalysed;
            Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await Health()).FramesAnalysed > before + 5, TimeSpan.FromSeconds(15)));
        }
        finally
        {
            await camera.DisposeAsync();
        }
    }

    [Fact]
    public async Task Edited_zones_are_validated_saved_to_the_config_file_and_used_by_the_restarted_camera()
    {
        var clip = Path.Combine(TestPaths.TempFolder(), "scene.mp4");
        Vigie.Video.SyntheticScene.Default.WriteVideo(clip);
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(clip) + "\n    loop: true");
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await service.Http.GetAsync("/api/cameras/gate/snapshot")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(20)));

        var bad = new SceneView([new ZoneConfig { Name = "flat", Polygon = [[0.1, 0.1], [0.2, 0.2]] }], []);
        var refused = await service.As(Roles.Supervisor).PutAsJsonAsync("/api/cameras/gate/scene", bad, ApiJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("zones[0].polygon", await refused.Content.ReadAsStringAsync());
        var onALine = new SceneView([], [], new CalibrationConfig { Image = [[0.1, 0.5], [0.3, 0.5], [0.6, 0.5], [0.9, 0.5]], GroundM = [[0, 0], [5, 0], [5, 5], [0, 5]] });
        var refusedCalibration = await service.As(Roles.Supervisor).PutAsJsonAsync("/api/cameras/gate/scene", onALine, ApiJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, refusedCalibration.StatusCode);
        Assert.Contains("calibration.image", await refusedCalibration.Content.ReadAsStringAsync());

        var ground = new CalibrationConfig { Image = [[0.2, 0.6], [0.8, 0.6], [0.9, 0.95], [0.1, 0.95]], GroundM = [[0, 0], [10, 0], [10, 8], [0, 8]] };
        var scene = new SceneView(
            [new ZoneConfig { Name = "whole_car_park", Polygon = [[0, 0], [1, 0], [1, 1], [0, 1]], UseCases = new ZoneUseCases { Intrusion = new IntrusionConfig() } }],
            [new LineConfig { Name = "kerb", From = [0.2, 0.5], To = [0.8, 0.5], Forbidden = "left_to_right" }], ground);
        var saved = await service.As(Roles.Supervisor).PutAsJsonAsync("/api/cameras/gate/scene", scene, ApiJson.Options);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);

        var reloaded = ConfigLoader.LoadFile(service.ConfigPath).Cameras.Single();
        Assert.Equal(["whole_car_park"], reloaded.Zones.Select(z => z.Name));
        Assert.Equal("left_to_right", reloaded.Lines.Single().Forbidden);
        Assert.Equal([10.0, 8.0], reloaded.Calibration!.GroundM[2]);
        Assert.True(reloaded.Loop);
        Assert.True(File.Exists(service.ConfigPath + ".bak"));
        var served = await service.GetAsync<SceneView>("/api/cameras/gate/scene");
        Assert.Equal("whole_car_park", served.Zones.Single().Name);
        Assert.Equal([0.1, 0.95], served.Calibration!.Image[3]);
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () =>
            (await service.Store.SearchAsync(new Vigie.Service.Storage.AlertQuery(Camera: "gate"))).Any(a => a.Zone == "whole_car_park"),
            TimeSpan.FromSeconds(30)), "the restarted camera raised no alert in the new zone");
    }

    [Fact]
    public async Task A_service_started_on_a_port_already_in_use_exits_with_a_clear_error_before_starting_anything()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(TestPaths.Clip("pedestrians/vtest.avi")) + "\n    loop: true");

        // Same cameras, port and database, with a model: found before any camera starts (until 2026-11-25 its cameras started,
        // authorised, before the web server failed to bind; before that the process then crashed with exit code 139).
        var config = Path.Combine(Path.GetDirectoryName(service.ConfigPath)!, "second.yaml");
        File.WriteAllText(config, File.ReadAllText(service.ConfigPath)
            .Replace("type: motion", $"type: onnx\n  model: {TestPaths.Model("yolox_nano.onnx")}\n  format: yolox", StringComparison.Ordinal));
        var (code, output, error) = await VigieProcess.RunAsync(["serve", "--config", config]);

        Assert.Equal(1, code);
        Assert.Equal($"error: {service.Url} is already in use: another program (often another vigie serve on this configuration) listens there; "
            + "stop it, or choose another address with service.listen or --listen.", error.Trim());
        Assert.DoesNotContain("Hosting failed to start", output + error); // the host's page of stack before it
        Assert.DoesNotContain("analysing", output + error);
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public async Task A_scraper_with_the_token_reads_each_cameras_state_and_frames_and_the_alerts_raised_and_nobody_else_does()
    {
        const string token = "a-scraper-token-of-32-characters";
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(TestPaths.Clip("pedestrians/vtest.avi")) + "\n    loop: true",
            $"  metrics_token: {token}");
        using var scraper = service.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await scraper.GetAsync("/metrics")).StatusCode);
        // A signed-in console is not a scraper either.
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.As(Roles.Administrator).GetAsync("/metrics")).StatusCode);
        scraper.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        await service.PublishAlertAsync();
        await service.PublishAlertAsync();
        string metrics = "";
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () =>
        {
            metrics = await scraper.GetStringAsync("/metrics");
            return metrics.Contains("vigie_camera_up{camera=\"gate\"} 1\n") && Regex.IsMatch(metrics, "vigie_camera_frames_analysed_total\\{camera=\"gate\"\\} [1-9]");
        }, TimeSpan.FromSeconds(30)), metrics);
        Assert.Contains("vigie_alerts_raised_total{camera=\"gate\",kind=\"intrusion\"} 2\n", metrics);
        Assert.Contains("vigie_alerts_waiting_for_database 0\n", metrics);
        Assert.Matches("vigie_data_disk_free_bytes [1-9]", metrics);
        Assert.Contains("process_cpu_seconds_total", metrics);
    }

    [Fact]
    public async Task Without_a_metrics_token_there_is_no_metrics_address_and_a_short_token_is_refused()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        Assert.Equal(HttpStatusCode.NotFound, (await service.As(Roles.Administrator).GetAsync("/metrics")).StatusCode);

        var config = Path.Combine(Path.GetDirectoryName(service.ConfigPath)!, "short-token.yaml");
        File.WriteAllText(config, File.ReadAllText(service.ConfigPath).Replace("service:\n", "service:\n  metrics_token: secret\n", StringComparison.Ordinal));
        var (code, _, error) = await VigieProcess.RunAsync(["check", "--config", config]);
        Assert.Equal(2, code);
        Assert.Contains("service.metrics_token: must be at least 24 characters", error);
    }

    [Fact]
    public async Task A_second_service_on_the_same_data_folder_is_refused_whatever_its_address_and_a_killed_one_leaves_the_folder_free()
    {
        var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(TestPaths.Clip("pedestrians/vtest.avi")) + "\n    loop: true");
        var (config, url) = (service.ConfigPath, service.Url);
        var data = ConfigLoader.LoadFile(config).Service.DataFolder;
        try
        {
            // Until 2026-11-25 it started, and both services analysed the camera and stored each alert twice.
            var (code, output, error) = await VigieProcess.RunAsync(["serve", "--config", config, "--listen", $"http://127.0.0.1:{Ports.Free()}"]);
            Assert.Equal(1, code);
            Assert.Contains($"error: the data folder {data} is in use by another Vigie process (`cat {Path.Combine(data, "service.lock")}` says which): stop it first", error);
            Assert.DoesNotContain("analysing", output + error);
            Assert.Throws<DataFolderInUseException>(() => DataFolderLock.Take(data, "a test"));
        }
        finally
        {
            await service.DisposeAsync();
        }
        Assert.Contains($"pid {Environment.ProcessId} (", File.ReadAllText(Path.Combine(data, "service.lock")));
        Assert.Contains($"vigie serve on {url}", File.ReadAllText(Path.Combine(data, "service.lock")));

        // The same service run as a user runs it, then killed: the system releases its lock, nothing is left to clean.
        int pid;
        using (var vigie = VigieProcess.StartInOwnSession(["serve", "--config", config]))
        {
            Assert.True(await vigie.LogShowsAsync(log => log.Contains("console and API on"), TimeSpan.FromSeconds(45)), vigie.Log);
            pid = vigie.Id;
            Assert.Throws<DataFolderInUseException>(() => DataFolderLock.Take(data, "a test"));
        }
        Assert.True(await ServiceUnderTest.EventuallyAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}")), TimeSpan.FromSeconds(10)));
        using var taken = DataFolderLock.Take(data, "a test");

        // A folder that cannot be made (nobody may write in /proc, root included) is named as the setting it comes from.
        var nowhere = Path.Combine(Path.GetDirectoryName(config)!, "nowhere.yaml");
        File.WriteAllText(nowhere, File.ReadAllText(config).Replace("data_folder: data", "data_folder: /proc/vigie-test-data", StringComparison.Ordinal));
        var refused = await VigieProcess.RunAsync(["serve", "--config", nowhere]);
        Assert.Equal(1, refused.Code);
        Assert.StartsWith("error: service.data_folder /proc/vigie-test-data cannot be made or written to by ", refused.Error.Trim());
    }

    [Fact]
    public async Task A_ctrl_c_to_the_terminal_stops_the_service_cleanly_without_reaching_its_decoders_and_encoders_first()
    {
        var clip = Path.Combine(TestPaths.TempFolder(), "scene.mp4");
        Vigie.Video.SyntheticScene.Default.WriteVideo(clip);
        // Its users, authorisation and configuration, then the same service run as a user runs it.
        var prepared = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(clip) + "\n    loop: true");
        var (config, url) = (prepared.ConfigPath, prepared.Url);
        await prepared.DisposeAsync();

        using var vigie = VigieProcess.StartInOwnSession(["serve", "--config", config]);
        // An alert, and its clip under way (2 s after it), when Ctrl+C comes.
        Assert.True(await vigie.LogShowsAsync(log => Regex.IsMatch(log, @"alert \d+: intrusion"), TimeSpan.FromSeconds(45)), vigie.Log);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        // The camera's decoder (and any encoder) in sessions of their own, out of reach of a signal to vigie's group.
        var children = VigieProcess.Children(vigie.Id).Where(c => c.Name == "ffmpeg").ToList();
        Assert.NotEmpty(children);
        Assert.All(children, c => Assert.Equal(c.Pid, c.Session));

        Assert.Equal(0, await vigie.InterruptAsync());
        Assert.Contains($"site clock {TimeZoneInfo.Local.Id}, UTC", vigie.Log); // no time_zone: the machine's, said at start
        Assert.Contains("Application is shutting down", vigie.Log);
        Assert.DoesNotContain("decoding failed", vigie.Log); // the decoder, signalled with vigie, was reported as a camera failure
        Assert.DoesNotContain("interrupted", vigie.Log);
        Assert.DoesNotContain("fail:", vigie.Log);
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(url + "/api/health"));
    }

    [Fact]
    public async Task Review_decisions_are_checked_and_stored_with_who_and_when()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        var id = await service.Store.InsertAsync(new Vigie.Service.Storage.NewAlert("gate", "intrusion", "forbidden", DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow, 0.9, [0, 0, 0.1, 0.1], [1], "test"));

        async Task<HttpResponseMessage> Review(object body) => await service.Http.PostAsJsonAsync($"/api/alerts/{id}/review", body);
        Assert.Equal(HttpStatusCode.BadRequest, (await Review(new { decision = "dismissed" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Review(new { decision = "dismissed", reason = "other" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Review(new { decision = "maybe" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.PostAsJsonAsync("/api/alerts/99999/review",
            new { decision = "confirmed" })).StatusCode);
        var ok = await Review(new { decision = "dismissed", reason = "animal", note = "a cat" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        var detail = await service.GetAsync<AlertDetail>($"/api/alerts/{id}");
        Assert.Equal(("dismissed", "operator", "animal"), (detail.Alert.Status, detail.Alert.ReviewedBy, detail.Alert.ReviewReason));
        Assert.Equal("a cat", detail.Reviews.Single().Note);
        var dismissed = await service.GetAsync<List<AlertView>>("/api/alerts?status=dismissed");
        Assert.Equal([id], dismissed.Select(a => a.Id));
        Assert.Equal(HttpStatusCode.BadRequest, (await service.Http.GetAsync("/api/alerts?kind=theft")).StatusCode);

        // The missing recording is reported as the camera's error, and the service keeps running.
        var health = await service.GetAsync<CameraStatus>("/api/cameras/gate");
        Assert.Equal(CameraStates.Reconnecting, health.State);
        Assert.Contains("recording.mp4", health.LastError);
    }

    /// <summary>
    /// A looping camera showing twelve "people" for the generated density-map model, eight of them in the
    /// zone "left" (its crowd_density limit of 100 is never reached), and the crowd_counter setting for it.
    /// </summary>
    internal static async Task<(string Cameras, string CrowdCounter)> CrowdCameraAsync()
    {
        var folder = TestPaths.TempFolder();
        using (var frame = Vigie.Tests.Perception.CrowdCounterTests.Frame(640, 360, Vigie.Tests.Perception.CrowdCounterTests.Side,
                   Vigie.Tests.Perception.CrowdCounterTests.Twelve))
            OpenCvSharp.Cv2.ImWrite(Path.Combine(folder, "frame.png"), frame);
        var video = Path.Combine(folder, "crowd.mp4");
        var ffmpeg = Process.Start("ffmpeg", ["-v", "error", "-y", "-loop", "1", "-framerate", "5", "-i", Path.Combine(folder, "frame.png"), "-t", "4",
            "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", video])!;
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
        return ($"""
              - name: hall
                source: {video}
                loop: true
                zones:
                  - name: left
                    polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]
                    use_cases:
                      crowd_density: {"{"} max_persons: 100 {"}"}
            """, $"crowd_counter: {"{"} model: {Vigie.Tests.Perception.CrowdCounterTests.Model()}, input_size: [640, 360], every_s: 0 {"}"}");
    }

    [Fact]
    public async Task A_zones_people_count_from_the_crowd_counter_is_served_as_a_time_series()
    {
        var (cameras, counter) = await CrowdCameraAsync();
        await using var service = await ServiceUnderTest.StartAsync(cameras, counter);

        List<MeasurementSeries> series = [];
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () =>
        {
            series = await service.GetAsync<List<MeasurementSeries>>("/api/cameras/hall/measurements");
            return series.Any(s => s.Points.Count >= 4);
        }, TimeSpan.FromSeconds(30)), "the camera should measure its zone every second");
        var persons = Assert.Single(series, s => s.Name == "persons");
        Assert.Equal(("left", "persons"), (persons.Where, persons.Unit));
        Assert.All(persons.Points, p => Assert.Equal(8, p.Value, 0.5));
        Assert.All(persons.Points.Zip(persons.Points.Skip(1)), pair => Assert.InRange((pair.Second.Time - pair.First.Time).TotalSeconds, 0.99, 1.5));
        var newest = persons.Points[^1].Time;
        var since = await service.GetAsync<List<MeasurementSeries>>($"/api/cameras/hall/measurements?since={Uri.EscapeDataString(newest.ToString("O"))}");
        Assert.All(Assert.Single(since).Points, p => Assert.True(p.Time >= newest));
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("/api/cameras/nowhere/measurements")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.Anonymous().GetAsync("/api/cameras/hall/measurements")).StatusCode);
    }

    [Fact]
    public async Task A_fire_model_beside_the_detector_raises_its_alert_on_a_live_camera()
    {
        // A steady orange glow after 2 s of grey: only the (generated) fire model sees it; the flame cue needs flicker.
        var folder = TestPaths.TempFolder();
        foreach (var (name, colour) in new[] { ("grey", OpenCvSharp.Scalar.All(128)), ("orange", new OpenCvSharp.Scalar(0, 80, 255)) })
        {
            using var image = new OpenCvSharp.Mat(360, 640, OpenCvSharp.MatType.CV_8UC3, colour);
            OpenCvSharp.Cv2.ImWrite(Path.Combine(folder, $"{name}.png"), image);
        }
        var video = Path.Combine(folder, "glow.mp4");
        var ffmpeg = Process.Start("ffmpeg", ["-v", "error", "-y", "-loop", "1", "-framerate", "5", "-t", "2", "-i", Path.Combine(folder, "grey.png"),
            "-loop", "1", "-framerate", "5", "-t", "6", "-i", Path.Combine(folder, "orange.png"),
            "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p", video])!;
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
        await using var service = await ServiceUnderTest.StartAsync($"""
              - name: depot
                source: {video}
                use_cases:
                  fire: {"{"}{"}"}
            """, $"extra_detectors: [{"{"} model: {Vigie.Tests.Perception.FireTestModel.Write(folder)}, format: rtmdet, class_names: [fire] {"}"}]");
        using var stream = await service.OpenStreamAsync();
        var raised = await service.NextEventAsync(stream, AlertFeed.Raised, AlertTimeout);
        Assert.Equal(("depot", "fire"), (raised.Camera, raised.Kind));
        Assert.Contains("fire seen by the fire model", raised.Detail);
        Assert.InRange((raised.Raised - raised.Started).TotalSeconds, 1.9, 2.5);
    }

    [Fact]
    public async Task Several_cameras_run_at_once_each_with_its_own_health()
    {
        var clip = Path.Combine(TestPaths.TempFolder(), "scene.mp4");
        Vigie.Video.SyntheticScene.Default.WriteVideo(clip);
        await using var service = await ServiceUnderTest.StartAsync(
            ServiceUnderTest.IntrusionCamera(clip, "north") + "\n    loop: true\n" +
            ServiceUnderTest.IntrusionCamera(clip, "south") + "\n    loop: true\n" +
            ServiceUnderTest.IntrusionCamera("/nonexistent/east.mp4", "east"));
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () =>
        {
            var cameras = await service.GetAsync<List<CameraStatus>>("/api/cameras");
            return cameras.Select(c => (c.Name, c.State)).SequenceEqual(
                [("east", CameraStates.Reconnecting), ("north", CameraStates.Online), ("south", CameraStates.Online)]);
        }, TimeSpan.FromSeconds(30)), string.Join("; ", (await service.GetAsync<List<CameraStatus>>("/api/cameras")).Select(c => $"{c.Name} {c.State}")));
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () =>
        {
            var alerts = await service.Store.SearchAsync(new Vigie.Service.Storage.AlertQuery());
            return alerts.Any(a => a.Camera == "north") && alerts.Any(a => a.Camera == "south");
        }, TimeSpan.FromSeconds(40)), "both live cameras should raise their own alerts");
    }

    [Fact]
    public async Task The_api_is_described_by_openapi_and_the_console_is_served()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        using var doc = JsonDocument.Parse(await service.Http.GetStringAsync("/openapi/v1.json"));
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/api/alerts", "/api/alerts/stream", "/api/alerts/{id}", "/api/alerts/{id}/review", "/api/alerts/{id}/clip",
                     "/api/cameras", "/api/cameras/{name}/snapshot", "/api/cameras/{name}/scene", "/api/review-reasons" })
            Assert.Contains(path, paths);
        var page = await service.Http.GetStringAsync("/");
        Assert.Contains("Vigie console", page);
        // Every API call the console makes is one the OpenAPI document describes.
        var script = await service.Http.GetStringAsync("/app.js");
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(script, @"[`""](/api/[a-z\-/]+)"))
            Assert.Contains(paths, p => m.Groups[1].Value.TrimEnd('/').StartsWith(p.Split('{')[0].TrimEnd('/'), StringComparison.Ordinal));
    }

    private static double ProbeDuration(string file)
    {
        var psi = new ProcessStartInfo("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return double.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>An HTTP endpoint on 127.0.0.1 that records webhook calls.</summary>
    private sealed class WebhookReceiver : IDisposable
    {
        public sealed record Call(string Timestamp, string Signature, string Body);

        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        private readonly System.Threading.Channels.Channel<Call> _calls = System.Threading.Channels.Channel.CreateUnbounded<Call>();

        public WebhookReceiver()
        {
            Url = $"http://127.0.0.1:{Ports.Free()}/hook/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }
                    using var reader = new StreamReader(context.Request.InputStream);
                    var body = await reader.ReadToEndAsync();
                    _calls.Writer.TryWrite(new Call(context.Request.Headers["X-Vigie-Timestamp"] ?? "", context.Request.Headers["X-Vigie-Signature"] ?? "", body));
                    context.Response.StatusCode = 204;
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public async Task<Call> NextAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            return await _calls.Reader.ReadAsync(cts.Token);
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
