using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vigie.Analytics;
using Vigie.Perception;
using Vigie.Tracking;
using Vigie.Video;

namespace Vigie.Pipeline;

/// <summary>The result of one analysed frame. The frame is only valid during the observer call.</summary>
public sealed record AnalysedFrame(
    Frame Frame,
    DateTimeOffset Clock,
    IReadOnlyList<Detection> Detections,
    TrackerUpdate Tracks,
    IReadOnlyList<EventChange> Changes,
    IReadOnlyList<Measurement> Measurements);

/// <summary>Receives what the pipeline produces; called on the analysis thread, in frame order.</summary>
public interface IAnalysisObserver
{
    void OnFrameAnalysed(AnalysedFrame frame) { }
    void OnEvent(EventChange change) { }
    void OnTrackEnded(Track track) { }

    /// <summary>A rule threw: it is stopped for the rest of the run, the camera's other rules go on.</summary>
    void OnRuleFailed(RuleFailure failure) { }
}

/// <summary>A rule that threw at a moment of the source (a bug to report, with the error's stack).</summary>
public sealed record RuleFailure(string UseCase, TimeSpan At, Exception Error)
{
    public override string ToString() => $"the {UseCase} rule failed at {At.TotalSeconds:0.0} s and was stopped ({Error.GetType().Name}: {Error.Message})";
}

public sealed record AnalysisResult(long FramesAnalysed, long FramesDropped, TimeSpan LastTimestamp, VideoSourceException? SourceError)
{
    /// <summary>Frames whose detections were carried over from an unchanged earlier frame (motion gating).</summary>
    public long FramesGated { get; init; }

    /// <summary>Stretches of the source with no picture (a recorder that paused): not analysed, nothing to see there.</summary>
    public IReadOnlyList<FootageGap> Gaps { get; init; } = [];

    /// <summary>Rules that threw and were stopped; the others ran to the end.</summary>
    public IReadOnlyList<RuleFailure> RuleFailures { get; init; } = [];

    /// <summary>What went wrong, for a report: the source's error, else the rules that failed; null when nothing did.</summary>
    public string? Problem => SourceError?.Message ?? (RuleFailures.Count > 0 ? string.Join("; ", RuleFailures) : null);
}

/// <summary>
/// One camera's path from frames to events: source → detection → tracking → rules → observer.
/// Decoding runs concurrently with analysis through a small bounded queue. Its overload policy:
/// a live camera drops the oldest waiting frame (a camera is never blocked, drops are counted);
/// a file makes the decoder wait, so no frame of a recording is ever skipped. With several detector
/// instances (stateless models only), consecutive frames are detected in parallel and handed to the
/// tracker in their original order. With motion gating (recordings), a frame in which nothing changed
/// since the last detected one reuses that frame's detections instead of running the detector.
/// A rule that throws is reported and stopped, so that one use case's bug does not blind the camera's others.
/// </summary>
public sealed class AnalysisPipeline(
    IFrameSource source,
    IReadOnlyList<IDetector> detectors,
    ByteTracker tracker,
    IReadOnlyList<IEventRule> rules,
    string camera,
    FrameClock clock,
    ILogger logger)
{
    private const int QueueCapacity = 4;
    private readonly MotionAnalyzer? _motion = rules.Any(r => r.NeedsMotionField) ? new MotionAnalyzer() : null;
    private readonly ViewMotion? _view = tracker.FollowsCamera ? new ViewMotion() : null;
    private readonly FireAnalyzer? _fire = rules.Any(r => r.NeedsFireCues) ? new FireAnalyzer(withSmoke: rules.Any(r => r.NeedsSmokeCues)) : null;
    private readonly StaticForegroundAnalyzer? _static = rules.Any(r => r.NeedsStaticRegions) ? new StaticForegroundAnalyzer() : null;
    private readonly bool _looks = rules.Any(r => r.NeedsObjectLooks);
    private OpenCvSharp.Mat? _opening;
    private CrowdMap? _crowdMap;
    private CountedPeople? _counted;
    private long _dropped;
    private readonly List<RuleFailure> _ruleFailures = [];
    private readonly HashSet<IEventRule> _stoppedRules = [];
    private IReadOnlyList<LyingSpot> _lyingSpots = [];

    /// <summary>The crowd-counting model, run on the analysis thread at most once per its interval.</summary>
    public CrowdCounter? CrowdCounter { get; init; }

    /// <summary>The crowd-density counting pass (whole frame and tiles), run on the analysis thread at most once per its interval.</summary>
    public PeopleCounter? PeopleCounter { get; init; }

    /// <summary>Detectors beside the main one (weapons, fire, smoke), run on the analysis thread at most once per their interval.</summary>
    public IReadOnlyList<ExtraDetector> ExtraDetectors { get; init; } = [];

    /// <summary>The second, turned look for people lying where a rule saw someone fall (see <see cref="IEventRule.LyingSpots"/>).</summary>
    public LyingLook? LyingLook { get; init; }

    /// <summary>Reuse the detector's answer on frames where nothing moved (only for a stateless model).</summary>
    public bool MotionGating { get; init; }

    /// <summary>
    /// The score from which a detection counts for the rules and observers; weaker ones (a detector may
    /// return them down to the tracker's low threshold) only help the tracker continue its tracks.
    /// </summary>
    public float ConfidentScore { get; init; }

    public async Task<AnalysisResult> RunAsync(IAnalysisObserver observer, CancellationToken ct)
    {
        var channel = Channel.CreateBounded<Frame>(
            new BoundedChannelOptions(QueueCapacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = source.IsLive ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
            },
            dropped =>
            {
                dropped.Dispose();
                Interlocked.Increment(ref _dropped);
            });

        VideoSourceException? sourceError = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var frame in source.ReadFramesAsync(stop.Token))
                {
                    if (!channel.Writer.TryWrite(frame))
                    {
                        try
                        {
                            await channel.Writer.WriteAsync(frame, stop.Token);
                        }
                        catch
                        {
                            frame.Dispose();
                            throw;
                        }
                    }
                }
            }
            catch (VideoSourceException e)
            {
                sourceError = e;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped by the consumer or the user.
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);

        // Detection stage: each frame gets a free detector; results are awaited in frame order.
        var free = Channel.CreateUnbounded<IDetector>();
        foreach (var d in detectors) free.Writer.TryWrite(d);
        var inOrder = Channel.CreateBounded<(Frame Frame, Task<IReadOnlyList<Detection>> Detections)>(detectors.Count + 1);
        using var abort = new CancellationTokenSource();
        using var gate = MotionGating ? new MotionGate() : null;
        var dispatcher = Task.Run(async () =>
        {
            Task<IReadOnlyList<Detection>>? lastDetecting = null;
            try
            {
                await foreach (var frame in channel.Reader.ReadAllAsync(CancellationToken.None))
                {
                    if (ct.IsCancellationRequested || abort.IsCancellationRequested)
                    {
                        frame.Dispose(); // drain what is queued
                        continue;
                    }
                    Task<IReadOnlyList<Detection>> detecting;
                    if (gate?.Unchanged(frame.Image, frame.Timestamp) == true && lastDetecting is not null)
                        detecting = lastDetecting;
                    else
                    {
                        var detector = await free.Reader.ReadAsync(CancellationToken.None);
                        detecting = lastDetecting = Task.Run(() =>
                        {
                            try
                            {
                                return detector.Detect(frame.Image, frame.Timestamp);
                            }
                            finally
                            {
                                free.Writer.TryWrite(detector);
                            }
                        }, CancellationToken.None);
                    }
                    try
                    {
                        await inOrder.Writer.WriteAsync((frame, detecting), abort.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        await detecting.ContinueWith(_ => frame.Dispose(), TaskScheduler.Default);
                    }
                }
            }
            finally
            {
                inOrder.Writer.TryComplete();
            }
        }, CancellationToken.None);

        long analysed = 0;
        var last = TimeSpan.Zero;
        try
        {
            await foreach (var (frame, detecting) in inOrder.Reader.ReadAllAsync(CancellationToken.None))
            {
                using (frame)
                {
                    var detections = await detecting;
                    if (ct.IsCancellationRequested) continue;
                    Analyse(frame, detections, observer);
                    analysed++;
                    last = frame.Timestamp;
                }
            }
        }
        finally
        {
            await abort.CancelAsync();
            await stop.CancelAsync();
            await producer;
            await dispatcher;
            while (inOrder.Reader.TryRead(out var leftover))
            {
                await leftover.Detections.ContinueWith(_ => { }, TaskScheduler.Default);
                leftover.Frame.Dispose();
            }
            while (channel.Reader.TryRead(out var queued)) queued.Dispose();
            _motion?.Dispose();
            _view?.Dispose();
            _fire?.Dispose();
            _static?.Dispose();
            _opening?.Dispose();
        }

        // Close what is open so every event and track reaches the outputs, even after a failure.
        foreach (var rule in rules)
            foreach (var change in Guarded(rule, last, observer, r => (r.Flush(last), [])).Changes)
                observer.OnEvent(change);
        foreach (var track in tracker.Flush())
            observer.OnTrackEnded(track);

        if (_dropped > 0) logger.LogWarning("{Camera}: {Dropped} frames dropped because analysis fell behind", camera, _dropped);
        return new AnalysisResult(analysed, Interlocked.Read(ref _dropped), last, sourceError)
        {
            FramesGated = gate?.Reused ?? 0,
            Gaps = [.. source.Gaps],
            RuleFailures = [.. _ruleFailures],
        };
    }

    private CrowdMap? CrowdMapAt(Frame frame)
    {
        if (CrowdCounter is not { } counter) return null;
        return Due(_crowdMap?.Time, frame.Timestamp, counter.Options.Every) ? _crowdMap = counter.Count(frame.Image, frame.Timestamp) : _crowdMap;
    }

    private CountedPeople? CountedAt(Frame frame)
    {
        if (PeopleCounter is not { } counter) return null;
        return Due(_counted?.Time, frame.Timestamp, counter.Every) ? _counted = counter.Count(frame.Image, frame.Timestamp) : _counted;
    }

    /// <summary>Whether a model run at most once per interval is due: never run, the interval past, or time went back (a new excerpt).</summary>
    private static bool Due(TimeSpan? last, TimeSpan now, TimeSpan every) => last is not { } l || now < l || now - l >= every;

    /// <summary>One step of a rule; if it throws, the rule is stopped and the failure reported (once: its closing may throw again).</summary>
    private (IReadOnlyList<EventChange> Changes, IReadOnlyList<Measurement> Measurements) Guarded(IEventRule rule, TimeSpan at, IAnalysisObserver observer,
        Func<IEventRule, (IReadOnlyList<EventChange>, IReadOnlyList<Measurement>)> step)
    {
        try
        {
            return step(rule);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!_stoppedRules.Add(rule)) return ([], []);
            var failure = new RuleFailure(rule.UseCase, at, e);
            _ruleFailures.Add(failure);
            logger.LogError(e, "{Camera}: {Failure}; the other use cases go on", camera, failure);
            observer.OnRuleFailed(failure);
            return ([], []);
        }
    }

    private void Analyse(Frame frame, IReadOnlyList<Detection> detected, IAnalysisObserver observer)
    {
        var everyDetection = LyingLook?.Add(frame.Image, detected, _lyingSpots) ?? detected;
        using var shrunk = new ShrunkFrame(frame.Image);
        var view = _view?.Measure(shrunk, everyDetection.Select(d => d.Box).ToList());
        var update = tracker.Update(everyDetection, frame.Timestamp, view);
        var detections = everyDetection.Where(d => d.Score >= ConfidentScore).ToList();
        foreach (var extra in ExtraDetectors) detections.AddRange(extra.Detect(frame.Image, frame.Timestamp));
        if (_looks) _opening ??= frame.Image.Clone();
        var motion = _motion?.Analyse(shrunk, frame.Timestamp);
        var arrived = DateTimeOffset.UtcNow - System.Diagnostics.Stopwatch.GetElapsedTime(frame.ReceivedAt);
        var state = new SceneState(camera, frame.Timestamp, clock.At(frame.Timestamp, arrived), frame.Image.Width, frame.Image.Height,
            update.Visible, update.Ended)
        {
            Detections = detections,
            View = view,
            Motion = motion,
            CrowdMap = CrowdMapAt(frame),
            CountedPeople = CountedAt(frame),
            Fire = _fire?.Analyse(shrunk, frame.Timestamp, detections.Where(d => d.Category == Category.Person).Select(d => d.Box).ToList()),
            StaticRegions = _static?.Analyse(shrunk, frame.Timestamp,
                detections.Where(d => d.Category is Category.Person or Category.Vehicle or Category.Moving).Select(d => d.Box).ToList(),
                motion?.CameraMoving ?? false),
            LookAt = _looks ? box => ObjectLook.Of(frame.Image, box) : null,
            LookAtOpening = _opening is { } opening ? box => ObjectLook.Of(opening, box) : null,
        };
        var changes = new List<EventChange>();
        var measurements = new List<Measurement>();
        foreach (var rule in rules)
        {
            if (_stoppedRules.Contains(rule)) continue;
            var step = Guarded(rule, frame.Timestamp, observer, r => (r.Update(state), r.Measurements));
            changes.AddRange(step.Changes);
            measurements.AddRange(step.Measurements);
        }
        if (LyingLook is not null) _lyingSpots = [.. rules.Where(r => !_stoppedRules.Contains(r)).SelectMany(r => r.LyingSpots)];
        foreach (var change in changes) observer.OnEvent(change);
        foreach (var track in update.Ended) observer.OnTrackEnded(track);
        observer.OnFrameAnalysed(new AnalysedFrame(frame, state.Clock, detections, update, changes, measurements));
    }
}
