using System.CommandLine;
using Spectre.Console;
using Vigie.Alerts;
using Vigie.Analytics;
using Vigie.Cli.Terminal;
using Vigie.Config;
using Vigie.Perception;
using Vigie.Pipeline;
using Vigie.Tracking;
using Vigie.Video;

namespace Vigie.Cli.Commands;

/// <summary>`vigie analyze`: one video through the whole pipeline, events out.</summary>
public static class AnalyzeCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitBadInput = 2;
    public const int ExitInterrupted = 130;

    public static Command Create()
    {
        var source = new Argument<string?>("source")
        {
            Description = "A video file, an rtsp:// or http(s):// camera URL, or a folder of images. Default: the camera's source in the config.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var config = new Option<string?>("--config", "-c") { Description = "Scene configuration (YAML or JSON); see docs/CONFIG.md." };
        var model = new Option<string?>("--model", "-m") { Description = "ONNX detector to use instead of the config's (implies detector type onnx)." };
        var format = new Option<string?>("--format") { Description = "Output format of --model: yolox (default), deimv2, rtmdet, picodet or nanodet." };
        var camera = new Option<string?>("--camera") { Description = "Which camera of the config to use (default: the first)." };
        var output = new Option<string?>("--out", "-o") { Description = "Write events as JSON Lines to this file." };
        var tracks = new Option<string?>("--tracks") { Description = "Write finished tracks as JSON Lines to this file." };
        var render = new Option<string?>("--render") { Description = "Write an annotated video (people pixelated) to this .mp4 file." };
        var metrics = new Option<string?>("--metrics") { Description = "Write per-frame measurements (people count, density per zone) as JSON Lines to this file." };
        var fps = new Option<double?>("--fps") { Description = "Frames analysed per second of video (overrides analysis.fps; 0 = every frame)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for decoding and inference (default: detector.threads)." };
        var start = new Option<string?>("--start") { Description = "Clock time of the first frame (ISO 8601: 2026-11-20T14:00, on the site's clock (time_zone), or with an offset), for schedules and reports." };
        var faces = new Option<string?>("--face-model") { Description = "YuNet face model: faces in the --render video are pixelated too, also of people the detector missed." };
        var command = new Command("analyze", "Analyse a video or camera stream: tracked objects and events.")
        {
            source, config, model, format, camera, output, tracks, render, metrics, fps, threads, start, faces,
        };
        command.SetAction(async (parse, ct) => await RunAsync(new Options(
            parse.GetValue(source), parse.GetValue(config), parse.GetValue(model), parse.GetValue(format), parse.GetValue(camera),
            parse.GetValue(output), parse.GetValue(tracks), parse.GetValue(render), parse.GetValue(fps), parse.GetValue(threads),
            parse.GetValue(start)) { Metrics = parse.GetValue(metrics), FaceModel = parse.GetValue(faces) }, ct));
        return command;
    }

    public sealed record Options(string? Source, string? Config, string? Model, string? Format, string? Camera, string? Out,
        string? Tracks, string? Render, double? Fps, int? Threads, string? Start)
    {
        public string? Metrics { get; init; }
        public string? FaceModel { get; init; }
    }

    public static async Task<int> RunAsync(Options o, CancellationToken ct)
    {
        var logger = new StderrLogger();
        SceneConfig config;
        DateTimeOffset? start;
        try
        {
            config = LoadConfig(o.Config, o.Model, o.Format, o.Fps);
            start = StartOption(o.Start, config);
        }
        catch (ConfigException e)
        {
            return Fail(e.Message, ExitBadInput);
        }
        // Without a scene (no --config, or one that only sets the detector or analysis), what needs no zone still
        // watches the whole picture rather than nothing, as `vigie eval` does for a clip without a scene.
        var withoutScene = config.Cameras.Count == 0;
        if (withoutScene)
        {
            if (o.Source is null)
                return Fail("nothing to analyse: pass a video file, an rtsp:// or http(s):// camera URL or a folder of images, or --config FILE whose camera has a source", ExitBadInput);
            config.Cameras.Add(UseCaseScope.WholeImage("camera"));
        }

        var source = o.Source ?? config.Cameras.FirstOrDefault(c => o.Camera is null || c.Name == o.Camera)?.Source;
        if (source is not null && !FfmpegSource.IsUrl(source))
            foreach (var (option, path) in new[] { ("--out", o.Out), ("--tracks", o.Tracks), ("--render", o.Render), ("--metrics", o.Metrics) })
                if (path is not null && Path.GetFullPath(path) == Path.GetFullPath(source))
                    return Fail($"{option} {path} would overwrite the video being analysed", ExitBadInput);

        FaceDetector? faces = null;
        if (o.FaceModel is not null)
        {
            if (o.Render is null) Console.Error.WriteLine("warning: --face-model only matters with --render");
            else
                try
                {
                    faces = new FaceDetector(o.FaceModel);
                }
                catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
                {
                    return Fail($"--face-model {o.FaceModel}: {e.Message}", ExitBadInput);
                }
        }
        using var facesInUse = faces;

        PreparedAnalysis prepared;
        try
        {
            prepared = await AnalysisSetup.PrepareAsync(new AnalysisRequest(o.Source, config, o.Camera, start, o.Threads), logger, ct);
        }
        catch (Exception e) when (e is ConfigException or VideoSourceException or FileNotFoundException or InvalidDataException)
        {
            return Fail(e.Message, ExitBadInput);
        }

        if (withoutScene)
            Console.Error.WriteLine($"{(o.Config is null ? "no --config" : $"{o.Config} has no camera")}: watching the whole image for {string.Join(", ", UseCaseScope.ZoneFree)}; "
                + "intrusion, wrong way and crowd density need zones, lines, directions or limits: see docs/CONFIG.md");
        if (UseCaseScope.WarningWithoutAModel(config, UseCaseScope.Configured(prepared.Camera)) is { } blind)
            Console.Error.WriteLine($"warning: {blind}");
        if (SiteTime.UnstatedZone(config) is { } clock) Console.Error.WriteLine($"warning: {clock}");
        await using (prepared)
        {
            var output = new AnalysisOutputs(prepared, o, faces is null ? PrivacyFilter.PeopleOnly : new PrivacyFilter(faces));
            var progress = new ProgressDisplay(prepared.Source.IsLive ? null : prepared.Source.Info.Duration);
            output.Progress = progress;
            AnalysisResult? result = null;
            Exception? sinkError = null;
            var counting = prepared.Pipeline.PeopleCounter is { } pass ? $"; {pass.Description}" : "";
            var title = $"{Path.GetFileName(prepared.Source.Location.TrimEnd('/'))}{prepared.SourceAdjustments} [{prepared.Detector.Description}{counting}]";
            try
            {
                await progress.RunAsync(title, async () => result = await prepared.Pipeline.RunAsync(output, ct));
            }
            catch (IOException e)
            {
                sinkError = e; // e.g. disk full: what was written so far is flushed and kept
            }
            finally
            {
                try
                {
                    output.Dispose();
                }
                catch (IOException e)
                {
                    sinkError ??= e;
                }
            }
            output.PrintSummary(result, progress.Elapsed, progress.Position);
            if (sinkError is not null)
                return Fail($"writing results failed: {sinkError.Message}"
                    + (output.VideoUnfinished ? $"; no video kept at {o.Render} (an MP4 cut short cannot be played)" : ""), ExitFailed);
            if (result?.SourceError is { } sourceError) return Fail(sourceError.Message, ExitFailed);
            if (result?.RuleFailures.Count > 0)
                return Fail($"{result.Problem}: the other use cases ran to the end and every result is kept", ExitFailed);
            if (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("stopped by the user; results so far are kept");
                return ExitInterrupted;
            }
            return ExitOk;
        }
    }

    /// <summary>`--start`: an instant, read on the site's clock when it has no offset.</summary>
    internal static DateTimeOffset? StartOption(string? text, SceneConfig config) =>
        text is null ? null
        : SiteTime.Parse(text, config.SiteZone())
          ?? throw new ConfigException("--start", [$"'{text}' is not a date and time (ISO 8601: 2026-11-20T14:00:00 on the site's clock, or 2026-11-20T14:00:00+01:00)"]);

    /// <summary>The scene configuration with the command line's overrides, validated.</summary>
    internal static SceneConfig LoadConfig(string? file, string? model, string? format, double? analysisFps)
    {
        var config = file is null ? new SceneConfig() : ConfigLoader.LoadFile(file);
        if (model is not null)
        {
            config.Detector.Type = "onnx";
            config.Detector.Model = Path.GetFullPath(model);
        }
        if (format is not null) config.Detector.Format = format;
        if (analysisFps is { } fps) config.Analysis.Fps = fps;
        var errors = ConfigValidator.Validate(config);
        if (errors.Count > 0) throw new ConfigException(file ?? "(command line)", errors);
        return config;
    }

    internal static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }

    /// <summary>Everything a run writes: JSON Lines, the annotated video, live alert lines, the final summary.</summary>
    private sealed class AnalysisOutputs(PreparedAnalysis prepared, Options o, PrivacyFilter privacy) : IAnalysisObserver, IDisposable
    {
        private readonly JsonLinesWriter? _events = o.Out is null ? null : new JsonLinesWriter(o.Out);
        private readonly JsonLinesWriter? _tracks = o.Tracks is null ? null : new JsonLinesWriter(o.Tracks);
        private readonly JsonLinesWriter? _metrics = o.Metrics is null ? null : new JsonLinesWriter(o.Metrics);
        private FfmpegVideoWriter? _video;
        private bool _videoComplete;

        /// <summary>A video was begun and not completed (its unplayable start is removed).</summary>
        public bool VideoUnfinished => _video is not null && !_videoComplete;
        private readonly List<SceneEvent> _closed = [];
        private readonly Dictionary<string, int> _trackCounts = [];
        private readonly HashSet<int> _alerting = [];
        private readonly OpenCvSharp.Mat _canvas = new();
        private readonly RunningBackground _background = new();
        private readonly AlertedThings _alerted = new();
        private long _frames;

        public ProgressDisplay? Progress { get; set; }

        public void OnEvent(EventChange change)
        {
            _alerted.Follow(change);
            var e = change.Event;
            if (change.Closed)
            {
                _closed.Add(e);
                _events?.Write(EventLine.From(e));
                foreach (var id in e.TrackIds) _alerting.Remove(id);
            }
            else
            {
                foreach (var id in e.TrackIds) _alerting.Add(id);
                // A camera's alert by the clock (the site's), a recording's by its place in the file.
                var at = prepared.Source.IsLive
                    ? $"{e.ClockAt(e.RaisedAt):HH:mm:ss} ({e.RaisedAt.TotalSeconds:0.0} s in)"
                    : $"{e.RaisedAt.TotalSeconds:0.0} s";
                Progress?.Say($"ALERT {e.Kind} [{e.Where}] at {at}: {e.Detail} (track {string.Join(",", e.TrackIds)})");
            }
        }

        public void OnTrackEnded(Track track)
        {
            var key = track.Category.ToString().ToLowerInvariant();
            _trackCounts[key] = _trackCounts.GetValueOrDefault(key) + 1;
            _tracks?.Write(TrackLine.From(prepared.Camera.Name, track, prepared.Source.FrameWidth, prepared.Source.FrameHeight));
        }

        public void OnFrameAnalysed(AnalysedFrame frame)
        {
            _frames++;
            Progress?.Advance(frame.Frame.Timestamp);
            if (_metrics is not null)
                foreach (var m in frame.Measurements)
                    _metrics.Write(new MeasurementLine(EventLine.Round(frame.Frame.Timestamp), m.Camera, m.Where, m.Name, m.Value, m.Unit));
            if (o.Render is null) return;
            var image = frame.Frame.Image;
            _video ??= new FfmpegVideoWriter(PartialVideo.PartOf(o.Render), image.Width, image.Height, prepared.AnalysedFps);
            var people = PrivacyFilter.PeopleOn(frame.Tracks, frame.Detections).ToList();
            _background.Offer(image, frame.Frame.Timestamp, people);
            image.CopyTo(_canvas);
            // As in the service's evidence: whatever differs from the empty scene but known vehicles, objects and
            // the things alerts are about is pixelated too, which hides people the detector missed; until the
            // empty scene is learnt, all but those things is.
            var things = PrivacyFilter.Things(frame.Tracks).Select(t => t.Box).Concat(_alerted.On(image.Width, image.Height)).ToList();
            ForegroundPrivacy.Hide(_canvas, _background.Current, things);
            privacy.Apply(_canvas, people);
            Annotator.Draw(_canvas, frame.Tracks.Visible, prepared.Zones, prepared.Lines, _alerting, frame.Frame.Timestamp);
            _video.Write(_canvas);
        }

        public void PrintSummary(AnalysisResult? result, TimeSpan elapsed, TimeSpan reached)
        {
            var analysed = result?.FramesAnalysed ?? _frames;
            var seconds = (result?.LastTimestamp ?? reached).TotalSeconds;
            var table = new Table().Title($"Events on {Markup.Escape(prepared.Camera.Name)}").AddColumns("kind", "where", "start s", "end s", "alert s", "tracks", "score");
            foreach (var e in _closed.OrderBy(e => e.Start))
                table.AddRow(e.Kind, Markup.Escape(e.Where), $"{e.Start.TotalSeconds:0.0}", e.End is { } end ? $"{end.TotalSeconds:0.0}" : "-",
                    $"{e.RaisedAt.TotalSeconds:0.0}", string.Join(",", e.TrackIds), $"{e.Score:0.00}");
            if (_closed.Count == 0) table.AddRow("(none)", "", "", "", "", "", "");
            AnsiConsole.Write(table);
            var tracks = _trackCounts.Count == 0 ? "none" : string.Join(", ", _trackCounts.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Value} {kv.Key}"));
            AnsiConsole.WriteLine($"tracks: {tracks}");
            AnsiConsole.WriteLine(
                $"analysed {analysed} frames covering {seconds:0.0} s of video in {elapsed.TotalSeconds:0.0} s " +
                $"({analysed / Math.Max(1e-3, elapsed.TotalSeconds):0} fps, {seconds / Math.Max(1e-3, elapsed.TotalSeconds):0.0}x real time)" +
                (result?.FramesDropped > 0 ? $", {result.FramesDropped} frames dropped" : ""));
            if (result?.Gaps is { Count: > 0 } gaps) AnsiConsole.WriteLine($"{FootageGap.Describe(gaps)} (the recording paused; nothing to analyse there)");
            if (o.Out is not null) AnsiConsole.WriteLine($"events: {o.Out} ({_closed.Count})");
            if (o.Tracks is not null) AnsiConsole.WriteLine($"tracks: {o.Tracks}");
            if (o.Render is not null && _videoComplete) AnsiConsole.WriteLine($"video: {o.Render}");
        }

        public void Dispose()
        {
            _canvas.Dispose();
            _background.Dispose();
            _events?.Dispose();
            _tracks?.Dispose();
            _metrics?.Dispose();
            if (_video is null || o.Render is null) return;
            try
            {
                _video.Dispose();
            }
            catch (IOException)
            {
                PartialVideo.Forget(o.Render);
                throw;
            }
            PartialVideo.Complete(o.Render);
            _videoComplete = true;
        }
    }
}
