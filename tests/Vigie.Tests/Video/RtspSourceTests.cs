using Microsoft.Extensions.Logging.Abstractions;
using Vigie.Analytics;
using Vigie.Cli.Commands;
using Vigie.Config;
using Vigie.Geometry;
using Vigie.Pipeline;
using Vigie.Video;

namespace Vigie.Tests.Video;

/// <summary>Live analysis of a real RTSP stream, and what happens when the camera dies or freezes.</summary>
public class RtspSourceTests
{
    private sealed class Collector : IAnalysisObserver
    {
        public List<SceneEvent> Opened { get; } = [];
        public List<SceneEvent> Closed { get; } = [];
        public CancellationTokenSource? StopWhenZoneThenLine { get; init; }
        private int _frames;
        public int Frames => Volatile.Read(ref _frames);

        public void OnFrameAnalysed(AnalysedFrame frame) => Interlocked.Increment(ref _frames);

        public void OnEvent(EventChange change)
        {
            (change.Closed ? Closed : Opened).Add(change.Event);
            var zone = Opened.FindIndex(e => e.Where == "forbidden");
            if (zone >= 0 && Opened.Skip(zone).Any(e => e.Where == "fence")) StopWhenZoneThenLine?.Cancel();
        }
    }

    private static async Task<PreparedAnalysis> Prepare(string url, double stallTimeout = 10)
    {
        var config = ConfigLoader.Parse(SampleCommand.ConfigText);
        config.Analysis.StallTimeoutS = stallTimeout;
        return await AnalysisSetup.PrepareAsync(new AnalysisRequest(url, config), NullLogger.Instance);
    }

    [Theory]
    [InlineData("h264", "h264")]
    [InlineData("h265", "hevc")]
    public async Task A_live_rtsp_camera_raises_the_scenes_alerts_with_stream_timestamps(string sent, string probed)
    {
        await using var camera = await RtspCamera.StartAsync(codec: sent);
        await using var prepared = await Prepare(camera.Url);
        Assert.True(prepared.Source.IsLive);
        Assert.Equal(probed, prepared.Source.Info.Codec);
        // The scene loops every 14 s: run until a zone alert has been followed by the line alert.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        var collector = new Collector { StopWhenZoneThenLine = stop };
        await prepared.Pipeline.RunAsync(collector, stop.Token);

        var zoneIndex = collector.Opened.FindIndex(e => e.Where == "forbidden");
        Assert.True(zoneIndex >= 0, "no zone alert");
        var zone = collector.Opened[zoneIndex];
        var line = collector.Opened.Skip(zoneIndex).First(e => e.Where == "fence");
        // Wherever the stream started in the loop, the two alerts are as far apart as in the scene.
        var scene = SyntheticScene.Default;
        Point2[] polygon = [new(0.45f, 0.6f), new(0.75f, 0.6f), new(0.75f, 1.0f), new(0.45f, 1.0f)];
        var expectedGap = 4 + (660 - 160) / 70.0 - scene.FirstEntry(scene.Walkers[0], polygon)!.Value.TotalSeconds;
        Assert.InRange((line.Start - zone.Start).TotalSeconds, expectedGap - 0.5, expectedGap + 0.5);
    }

    [Fact]
    public async Task A_camera_that_dies_ends_the_analysis_with_a_disconnect_error_and_keeps_its_events()
    {
        await using var camera = await RtspCamera.StartAsync();
        await using var prepared = await Prepare(camera.Url);
        var collector = new Collector();
        var run = prepared.Pipeline.RunAsync(collector, CancellationToken.None);
        // Let some frames through first, however long the start takes on a loaded machine.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (collector.Frames < 25 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        camera.Kill();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotNull(result.SourceError);
        Assert.Contains("disconnected", result.SourceError.Message);
        Assert.True(result.FramesAnalysed > 20);
        Assert.Equal(collector.Opened.Count, collector.Closed.Count); // open events were closed, not lost
    }

    /// <summary>Each analysed frame: its stream time, when it arrived and the clock time it was given.</summary>
    private sealed class Clocks : IAnalysisObserver
    {
        public List<(TimeSpan Stream, DateTimeOffset Arrived, DateTimeOffset Clock)> Frames { get; } = [];

        public void OnFrameAnalysed(AnalysedFrame frame)
        {
            var arrived = DateTimeOffset.UtcNow - System.Diagnostics.Stopwatch.GetElapsedTime(frame.Frame.ReceivedAt);
            lock (Frames) Frames.Add((frame.Frame.Timestamp, arrived, frame.Clock));
        }
    }

    /// <summary>Analyses the camera for this long (then stops it): each analysed frame's stream time, arrival and clock.</summary>
    private static async Task<List<(TimeSpan Stream, DateTimeOffset Arrived, DateTimeOffset Clock)>> FramesOfAsync(RtspCamera camera, TimeSpan length)
    {
        await using (camera)
        {
            await using var prepared = await Prepare(camera.Url);
            var clocks = new Clocks();
            using var stop = new CancellationTokenSource(length);
            await prepared.Pipeline.RunAsync(clocks, stop.Token);
            return clocks.Frames;
        }
    }

    [Fact]
    public async Task A_live_camera_whose_own_clock_runs_fast_is_stamped_with_the_time_its_frames_arrive()
    {
        // The camera's stream time gains a second every ten: a real camera's drift of days, in seconds.
        var frames = await FramesOfAsync(await RtspCamera.StartAsync(clockRate: 1.1), TimeSpan.FromSeconds(25));
        Assert.True(frames.Count > 60, $"{frames.Count} frames");
        var (first, last) = (frames[0], frames[^1]);
        // The stream did gain on true time: stamped with its own time from the first frame, the last frame would be this late...
        var streamGain = (last.Stream - first.Stream) - (last.Arrived - first.Arrived);
        Assert.True(streamGain > TimeSpan.FromSeconds(1), $"the camera's clock gained only {streamGain.TotalSeconds:0.00} s");
        // ...while every frame's clock is never after it arrived, and in its last ten seconds at most a fraction of a second before.
        Assert.All(frames, f => Assert.True(f.Clock <= f.Arrived + TimeSpan.FromMilliseconds(1), $"clock {f.Clock:O} after arrival {f.Arrived:O}"));
        var recent = frames.Where(f => f.Arrived > last.Arrived - TimeSpan.FromSeconds(10)).Select(f => (f.Arrived - f.Clock).TotalSeconds).Order().ToList();
        Assert.True(recent[recent.Count / 2] < 0.5, $"frames stamped a median {recent[recent.Count / 2]:0.00} s before they arrived");
    }

    [Fact]
    public async Task A_camera_whose_timestamps_leap_back_is_analysed_on_without_a_gap()
    {
        // 4 s into the session its timestamps go back 6 s, as a camera restarting its encoder; its frames keep coming.
        var frames = await FramesOfAsync(await RtspCamera.StartAsync(leap: -6), TimeSpan.FromSeconds(18));
        Assert.True(frames.Count > 40, $"{frames.Count} frames");
        // ffmpeg's fps filter dropped every frame until the camera's time came round again: 6 s without a picture.
        var longest = frames.Zip(frames.Skip(1), (a, b) => b.Arrived - a.Arrived).Max();
        Assert.True(longest < TimeSpan.FromSeconds(3), $"no frame analysed for {longest.TotalSeconds:0.0} s");
        // Stream time kept pace with the frames' arrival across the leap: the least delayed frame of the first 3 s and of the
        // last 5 s are as far from their stream time (a loaded machine only ever delays frames, and not all of them alike).
        TimeSpan LeastDelay(IEnumerable<(TimeSpan Stream, DateTimeOffset Arrived, DateTimeOffset Clock)> some) =>
            some.Min(f => f.Arrived - frames[0].Arrived - (f.Stream - frames[0].Stream));
        var before = LeastDelay(frames.Where(f => f.Arrived < frames[0].Arrived + TimeSpan.FromSeconds(3)));
        var after = LeastDelay(frames.Where(f => f.Arrived > frames[^1].Arrived - TimeSpan.FromSeconds(5)));
        Assert.True((after - before).Duration() < TimeSpan.FromSeconds(2), $"stream time {(before - after).TotalSeconds:0.0} s off arrival");
    }

    [Fact]
    public void A_stream_time_leap_forward_is_not_filled_with_copies_of_the_last_picture()
    {
        // A real ffmpeg on a recording whose timestamps leap an hour forward after 3 s, through the guard live cameras get.
        var folder = TestPaths.TempFolder();
        var leapt = Path.Combine(folder, "leap.mkv");
        static (int Code, string Error) Ffmpeg(params string[] args)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("ffmpeg", args) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = System.Diagnostics.Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, error + output.Result);
        }
        Assert.Equal(0, Ffmpeg("-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-frames:v", "150",
            "-vf", "setpts='if(gte(N,75),PTS+3600/TB,PTS)'", "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast", leapt).Code);
        int Sampled(string filters)
        {
            var (code, text) = Ffmpeg("-v", "error", "-i", leapt, "-vf", filters, "-fps_mode", "passthrough", "-f", "null", "-", "-progress", "pipe:1");
            Assert.Equal(0, code);
            return text.Split('\n').Where(l => l.StartsWith("frame=", StringComparison.Ordinal)).Select(l => int.Parse(l[6..])).Last();
        }
        Assert.True(Sampled("fps=5") > 18_000); // the leap filled with an hour of the same picture
        Assert.Equal(30, Sampled($"{FfmpegSource.StreamTimeGuard(25, TimeSpan.FromSeconds(10))},fps=5")); // 6 s of frames at 5 a second
    }

    [Fact]
    public async Task Vigie_analyze_on_a_camera_says_each_alert_by_the_site_clock()
    {
        await using var camera = await RtspCamera.StartAsync();
        var config = Path.Combine(TestPaths.TempFolder(), "kolkata.yaml");
        await File.WriteAllTextAsync(config, "time_zone: Asia/Kolkata\n" + SampleCommand.ConfigText);
        using var vigie = Vigie.Tests.Cli.VigieProcess.StartInOwnSession(["analyze", camera.Url, "--config", config]);
        Assert.True(await vigie.LogShowsAsync(log => log.Contains("ALERT intrusion", StringComparison.Ordinal), TimeSpan.FromSeconds(45)), vigie.Log);
        var kolkata = SiteTime.On(SiteTime.Find("Asia/Kolkata")!, DateTimeOffset.UtcNow);
        await vigie.InterruptAsync();

        // "ALERT intrusion [forbidden] at 21:05:09 (7.2 s in): …", the time Kolkata's clock read then (not this machine's).
        var said = System.Text.RegularExpressions.Regex.Match(vigie.Log, @"ALERT intrusion \[\w+\] at (\d\d:\d\d:\d\d) \(\d+\.\d s in\)");
        Assert.True(said.Success, vigie.Log);
        var clock = TimeOnly.ParseExact(said.Groups[1].Value, "HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var behind = TimeOnly.FromDateTime(kolkata.DateTime) - clock; // wraps round midnight
        Assert.True(behind < TimeSpan.FromSeconds(30), $"said {clock}, Kolkata's clock read {kolkata:HH:mm:ss}");
    }

    [Fact]
    public async Task A_camera_whose_picture_changes_size_while_streaming_is_opened_again()
    {
        // 4 s after it starts sending, the camera's picture goes from 640x360 to 320x240.
        await using var camera = await RtspCamera.StartAsync(resize: "320x240");
        await using var prepared = await Prepare(camera.Url);
        var collector = new Collector();
        var result = await prepared.Pipeline.RunAsync(collector, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        // Ended, to be opened again at its new size (the service reconnects), rather than read on stretched to the old
        // one with frames waited for 2 s each.
        Assert.NotNull(result.SourceError);
        Assert.Contains("changed its picture (size or format) while streaming", result.SourceError.Message);
        Assert.True(collector.Frames > 3, $"{collector.Frames} frames before");
        await using var again = await Prepare(camera.Url);
        Assert.Equal((320, 240), (again.Source.Info.Width, again.Source.Info.Height));
    }

    [Fact]
    public async Task A_cameras_sound_is_never_asked_for()
    {
        await using var camera = await RtspCamera.StartAsync(audio: true);
        await using var prepared = await Prepare(camera.Url);
        var collector = new Collector();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = prepared.Pipeline.RunAsync(collector, stop.Token);
        while (collector.Frames < 10 && !stop.IsCancellationRequested) await Task.Delay(100);
        await stop.CancelAsync();
        await run;

        Assert.True(collector.Frames >= 10);
        // The probe and the decoder each set up the picture, and neither the sound (stream=1), which the camera then never sends.
        Assert.Equal(["/cam/stream=0", "/cam/stream=0"], camera.StreamsSetUp);
    }

    [Fact]
    public async Task A_frozen_camera_is_detected_by_the_watchdog()
    {
        await using var camera = await RtspCamera.StartAsync();
        await using var prepared = await Prepare(camera.Url, stallTimeout: 2);
        var run = prepared.Pipeline.RunAsync(new Collector(), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3));
        camera.Freeze();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotNull(result.SourceError);
        Assert.Contains("stalled", result.SourceError.Message);
    }
}

/// <summary>An HTTP MJPEG camera: no timestamps in the stream, so arrival time is the frame time.</summary>
public class HttpCameraTests
{
    [Fact]
    public async Task An_http_mjpeg_camera_is_read_at_its_real_pace()
    {
        await using var camera = new MjpegCamera(fps: 10);
        await using var source = await FfmpegSource.OpenAsync(camera.Url, new DecodeOptions(Fps: 5));
        Assert.True(source.IsLive);
        var times = new List<(TimeSpan Stream, double Wall)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Generous limit: on a loaded machine ffmpeg may take seconds to start; the pace is judged
        // between the first and the last frame, not from the start.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var f in source.ReadFramesAsync(stop.Token))
        {
            using (f) times.Add((f.Timestamp, clock.Elapsed.TotalSeconds));
            if (times.Count == 31) break;
        }
        Assert.Equal(31, times.Count);
        // Stream time advances like wall time, 5 analysed frames a second. Had ffmpeg assumed 25 fps for
        // this 10 fps camera, stream time would run at 0.4× wall time. The margin is wide because a busy
        // machine may stall this reader for a second (the reading times are ours, not the camera's).
        var span = (times[^1].Stream - times[0].Stream).TotalSeconds;
        var wall = times[^1].Wall - times[0].Wall;
        Assert.InRange(span / wall, 0.65, 1.5);
        Assert.InRange(30 / span, 3.5, 6.5);
    }
}
