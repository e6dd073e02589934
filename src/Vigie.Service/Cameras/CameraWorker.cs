using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenCvSharp;
using Vigie.Analytics;
using Vigie.Config;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Pipeline;
using Vigie.Service.Alerts;
using Vigie.Service.Evidence;
using Vigie.Service.Notifications;
using Vigie.Video;

namespace Vigie.Service.Cameras;

/// <summary>
/// Runs one camera's pipeline for as long as the service runs: when the stream drops it reconnects
/// with exponential backoff; a looping file starts again; a configuration error stops it for good.
/// Keeps the last seconds of frames for evidence and the last hour of its measurements (people counts),
/// and hands every alert to the alert desk.
/// </summary>
public sealed class CameraWorker
{
    private readonly SceneConfig _config;
    private readonly CameraConfig _camera;
    private readonly AlertDesk _desk;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly RunningBackground _background = new();
    // Each start of the source, which starts its stream times again from zero.
    private int _runs;
    private Task? _run;

    /// <param name="camera">The camera as it will be analysed: limited to the use cases an authorisation covers.</param>
    public CameraWorker(SceneConfig config, CameraConfig camera, AlertDesk desk, ILogger logger)
    {
        _config = config;
        _camera = camera;
        _desk = desk;
        _logger = logger;
        Health = new CameraHealth(camera.Name, camera.Source ?? "");
        var evidence = config.Service.Evidence;
        Ring = new FrameRing(TimeSpan.FromSeconds(evidence.BeforeS + evidence.AfterS + 2));
        LookBack = LookBackSpan(camera, evidence) is { } span ? new FrameRing(span) : null;
    }

    /// <summary>
    /// An abandoned object is reported at least its dwell time after its owner left: one frame a second
    /// over that long (and a margin) keeps the moment it was left for the evidence. Null without that use case.
    /// </summary>
    private static TimeSpan? LookBackSpan(CameraConfig camera, EvidenceConfig evidence)
    {
        var dwells = camera.Zones.Select(z => z.UseCases).Append(camera.UseCases)
            .Where(u => u.AbandonedObject is not null).Select(u => u.AbandonedObject!.DwellS).ToList();
        return dwells.Count == 0 ? null : TimeSpan.FromSeconds(dwells.Max() + evidence.BeforeS + LookBackMarginS);
    }

    private const double LookBackMarginS = 15;
    private static readonly TimeSpan LookBackEvery = TimeSpan.FromSeconds(1);

    public string Name => _camera.Name;
    public CameraConfig Camera => _camera;
    public CameraHealth Health { get; }

    /// <summary>The recent counts and densities its rules measure, as time series.</summary>
    public CameraMeasurements Measurements { get; } = new();
    public FrameRing Ring { get; }
    public FrameRing? LookBack { get; }

    public bool Started => _run is not null;

    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null) await _run;
        _background.Dispose();
        Health.Set(CameraStates.Stopped);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var reconnect = _config.Service.Reconnect;
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            string? error;
            var framesBefore = Health.Read(DateTimeOffset.Now).FramesAnalysed;
            try
            {
                // Everything the service analyses is live: clock times are now, files play at their own pace.
                var request = new AnalysisRequest(null, _config.WithOnlyCamera(_camera), _camera.Name, DateTimeOffset.Now) { SimulateLive = true };
                await using var prepared = await AnalysisSetup.PrepareAsync(request, _logger, ct);
                _logger.LogInformation("{Camera}: analysing {Source}{Adjustments} with {Detector}", Name, Credentials.Hidden(prepared.Source.Location),
                    prepared.SourceAdjustments, prepared.Detector.Description);
                var observer = new Observer(this, prepared, ++_runs);
                var result = await prepared.Pipeline.RunAsync(observer, ct);
                if (result.FramesDropped > 0) Health.Dropped(result.FramesDropped);
                if (ct.IsCancellationRequested) break;
                if (result.SourceError is null)
                {
                    if (_camera.Loop)
                    {
                        attempt = 0;
                        continue;
                    }
                    Health.Set(CameraStates.Ended);
                    _logger.LogInformation("{Camera}: the recording ended", Name);
                    return;
                }
                error = result.SourceError.Message;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (VideoSourceException e)
            {
                error = e.Message;
            }
            catch (Exception e) when (e is ConfigException or InvalidDataException or FileNotFoundException && !IsMissingSource(e))
            {
                var message = Credentials.HiddenIn(e.Message, _camera.Source);
                Health.Failed(CameraStates.Failed, message, DateTimeOffset.Now, reconnecting: false);
                _logger.LogError("{Camera}: cannot run: {Message}", Name, message);
                return;
            }
            catch (FileNotFoundException e)
            {
                error = e.Message; // the recording may appear (a mounted share coming back)
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A bug: logged with its stack, then retried like a lost stream, so the camera never goes dark unseen.
                _logger.LogError(e, "{Camera}: unexpected error", Name);
                error = $"unexpected error: {e.Message}";
            }

            if (Health.Read(DateTimeOffset.Now).FramesAnalysed > framesBefore) attempt = 0;
            var wait = Backoff.Delay(attempt++, reconnect.InitialS, reconnect.MaxS);
            error = Credentials.HiddenIn(error, _camera.Source);
            Health.Failed(CameraStates.Reconnecting, error, DateTimeOffset.Now, reconnecting: true);
            _logger.LogWarning("{Camera}: {Error}; reconnecting in {Wait:0.#} s", Name, error, wait.TotalSeconds);
            try
            {
                await Task.Delay(wait, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private bool IsMissingSource(Exception e) => e is FileNotFoundException f && f.FileName == _camera.Source;

    /// <summary>Receives the pipeline's output on the analysis thread: health, frames for evidence, alerts.</summary>
    private sealed class Observer(CameraWorker worker, PreparedAnalysis prepared, int run) : IAnalysisObserver
    {
        private static readonly int[] JpegQuality = [(int)ImwriteFlags.JpegQuality, 88];
        private readonly AlertedThings _alerted = new();

        public void OnRuleFailed(RuleFailure failure) =>
            worker.Health.Warn($"{failure}; its other use cases go on, this one again when the camera restarts", DateTimeOffset.Now);

        public void OnFrameAnalysed(AnalysedFrame frame)
        {
            var image = frame.Frame.Image;
            worker.Health.FrameAnalysed(DateTimeOffset.Now, image.Width, image.Height);
            worker.Measurements.Record(frame.Clock, frame.Measurements);
            // Vehicles and objects for the alert's outline, and the things open alerts are about: they stay visible;
            // and everyone the privacy filter must hide, not only confirmed tracks seen now: untracked detections
            // and people missed on this frame too.
            var people = PrivacyFilter.People(frame.Tracks, frame.Detections).ToList();
            var boxes = PrivacyFilter.Things(frame.Tracks).Select(t => new KeptBox(t.Id, t.Category, t.Box))
                .Concat(_alerted.On(image.Width, image.Height).Select(b => new KeptBox(-1, Category.Other, b)))
                .Concat(people.Select(p => new KeptBox(p.TrackId, p.Category, p.Box)))
                .ToList();
            worker._background.Offer(image, frame.Frame.Timestamp, people.Select(p => p.Box));
            var kept = new KeptFrame(frame.Frame.Timestamp, frame.Clock, image.ImEncode(".jpg", JpegQuality), boxes,
                worker._background.Current) { Run = run };
            worker.Ring.Add(kept);
            if (worker.LookBack is { } lookBack && (lookBack.Latest is not { } latest || latest.Run != run || kept.Time - latest.Time >= LookBackEvery))
                lookBack.Add(kept);
            foreach (var change in frame.Changes)
                if (!change.Closed)
                    worker._desk.Raise(worker.Name, change.Event, kept, Marks(change.Event), worker.Ring, worker.LookBack, Stopwatch.GetTimestamp());
        }

        public void OnEvent(EventChange change)
        {
            _alerted.Follow(change);
            if (change.Closed) worker._desk.Close(worker.Name, change.Event);
        }

        private AlertMarks Marks(SceneEvent e)
        {
            IReadOnlyList<Point2> outline = [];
            if (prepared.Zones.FirstOrDefault(z => z.Name == e.Where) is { } zone) outline = zone.Polygon;
            else if (prepared.Lines.FirstOrDefault(l => l.Name == e.Where) is { } line) outline = [line.From, line.To];
            return new AlertMarks(e.Box, e.TrackIds, outline, EventKinds.AboutAThing(e.Kind));
        }
    }
}
