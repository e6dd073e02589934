using Microsoft.Extensions.Logging;
using Vigie.Analytics;
using Vigie.Config;
using Vigie.Perception;
using Vigie.Tracking;
using Vigie.Video;

namespace Vigie.Pipeline;

/// <summary>What a user asks for on the command line, on top of the configuration file.</summary>
public sealed record AnalysisRequest(
    string? Source,
    SceneConfig Config,
    string? CameraName = null,
    DateTimeOffset? StartClock = null,
    int? Threads = null)
{
    /// <summary>Play a file at its own pace as if it were a live camera (benchmarks, demos).</summary>
    public bool SimulateLive { get; init; }

    /// <summary>Analyse only this stretch of a recording (start, length); timestamps stay those of the whole file.</summary>
    public (TimeSpan Start, TimeSpan Length)? Excerpt { get; init; }

    /// <summary>
    /// Recordings analysed for the index: reuse detections on frames where nothing moved and, when no
    /// rule needs evenly spaced frames (fire flicker, optical flow), skip decoding frames nothing refers to;
    /// when nothing compares pixels with a learned background, skip the codec's deblocking.
    /// </summary>
    public bool Forensic { get; init; }
}

/// <summary>An opened source, a loaded detector and the rules of one camera, ready to run.</summary>
public sealed class PreparedAnalysis : IAsyncDisposable
{
    internal PreparedAnalysis(IFrameSource source, IReadOnlyList<IDetector> detectors, SceneModels models, CameraConfig camera,
        TimeZoneInfo site, FrameClock clock, IReadOnlyList<IEventRule> rules, ByteTracker tracker, ILogger logger, bool motionGating, float confidentScore)
    {
        Source = source;
        _detectors = detectors;
        _models = models;
        Camera = camera;
        Clock = clock;
        Pipeline = new AnalysisPipeline(source, detectors, tracker, rules, camera.Name, clock, logger)
        {
            MotionGating = motionGating,
            ConfidentScore = confidentScore,
            CrowdCounter = models.CrowdCounter,
            PeopleCounter = models.PeopleCounter,
            ExtraDetectors = models.ExtraDetectors,
            LyingLook = models.LyingLook,
        };
        Zones = camera.Zones.Select(z => SceneCompiler.Zone(z, site)).ToList();
        Lines = camera.Lines.Select(SceneCompiler.Line).ToList();
    }

    private readonly IReadOnlyList<IDetector> _detectors;
    private readonly SceneModels _models;

    public IFrameSource Source { get; }

    /// <summary>What reading the source changes, as " (…)" to follow its name, or nothing (see <see cref="StreamInfo.Adjustments"/>).</summary>
    public string SourceAdjustments => Source.Info.Adjustments(Source.FrameWidth, Source.FrameHeight) is { } said ? $" ({said})" : "";

    /// <summary>The detector (the first of its parallel instances).</summary>
    public IDetector Detector => _detectors[0];
    public CameraConfig Camera { get; }
    public FrameClock Clock { get; }
    public AnalysisPipeline Pipeline { get; }
    public IReadOnlyList<WatchedZone> Zones { get; }
    public IReadOnlyList<WatchedLine> Lines { get; }

    /// <summary>Rate of the analysed frames, e.g. for an annotated video of them.</summary>
    public double AnalysedFps { get; init; }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _detectors) d.Dispose();
        _models.Dispose();
        await Source.DisposeAsync();
    }
}

/// <summary>The optional models some rules use beside the detector; each loaded only when a use case needs it.</summary>
internal sealed class SceneModels : IDisposable
{
    public CrowdCounter? CrowdCounter { get; set; }
    public PeopleCounter? PeopleCounter { get; set; }
    public List<ExtraDetector> ExtraDetectors { get; } = [];
    public LyingLook? LyingLook { get; set; }

    public void Dispose()
    {
        CrowdCounter?.Dispose();
        LyingLook?.Dispose();
        PeopleCounter?.Dispose();
        foreach (var x in ExtraDetectors) x.Dispose();
    }
}

/// <summary>Wires the engine for one camera from a configuration: the single place the stages meet.</summary>
public static class AnalysisSetup
{
    public static async Task<PreparedAnalysis> PrepareAsync(AnalysisRequest request, ILogger logger, CancellationToken ct = default)
    {
        var config = request.Config;
        var camera = request.CameraName is { } name
            ? config.Cameras.FirstOrDefault(c => c.Name == name)
              ?? throw new ConfigException("--camera", [$"no camera named '{name}' in the configuration ({string.Join(", ", config.Cameras.Select(c => c.Name))})"])
            : config.Cameras.FirstOrDefault() ?? new CameraConfig();
        var location = request.Source ?? camera.Source
            ?? throw new ConfigException($"cameras[{config.Cameras.IndexOf(camera)}].source", ["no source given: pass a file, URL or folder"]);
        var threads = request.Threads ?? config.Detector.Threads;

        // The detector loads first: a bad model path is a configuration error, found before any decoding starts.
        // A model keeps no state between frames, so with several threads each gets its own instance and
        // consecutive frames are detected in parallel; the motion detector learns a background: one.
        var weakest = config.Tracker.LowThreshold;
        var detectors = new List<IDetector> { SceneCompiler.Detector(config.Detector, 1, weakest) };
        var models = new SceneModels();
        try
        {
            if (config.Detector.IsModel)
                while (detectors.Count < threads) detectors.Add(SceneCompiler.Detector(config.Detector, 1, weakest));
            var site = config.SiteZone();
            var rules = SceneCompiler.Rules(camera, site, crowdCounted: config.CrowdCounter is not null, peopleDetected: config.Detector.IsModel);
            if (config.CrowdCounter is { } counting)
            {
                if (rules.Any(r => r.NeedsCrowdCount)) models.CrowdCounter = SceneCompiler.CrowdCounter(counting);
                else logger.LogInformation("{Camera}: crowd_counter is not loaded: this camera watches no crowd_density", camera.Name);
            }
            if (config.ExtraDetectors.Count > 0)
            {
                // Their weapon, fire and smoke detections serve only those two use cases.
                if (UseCaseScope.Configured(camera).Overlaps([EventKinds.Weapon, EventKinds.Fire]))
                    for (int i = 0; i < config.ExtraDetectors.Count; i++) models.ExtraDetectors.Add(SceneCompiler.ExtraDetector(config.ExtraDetectors[i], i));
                else logger.LogInformation("{Camera}: extra_detectors are not loaded: this camera watches neither weapon nor fire", camera.Name);
            }
            var scoreThreshold = SceneCompiler.ScoreThreshold(config.Detector);
            // Its own instance of the model, on the analysis thread, on the whole crop (tiles would cut a person in it).
            if (config.Detector.IsModel && config.Detector.LyingLook && rules.Any(r => r.NeedsLyingLooks))
                models.LyingLook = new LyingLook(SceneCompiler.Detector(config.Detector, 1, tilesOverride: [1, 1]), (float)scoreThreshold);
            var evenFrames = rules.Any(r => r.NeedsMotionField || r.NeedsFireCues);
            // Without deblocking, block edges drift in the wake of moving things until the next key frame:
            // a model barely notices, but a background model sees a trail of foreground (ghost objects, split tracks).
            var backgroundModels = !config.Detector.IsModel || evenFrames || rules.Any(r => r.NeedsStaticRegions);
            var decoding = FrameSources.Decoding(config.Analysis, threads, request.SimulateLive) with
            {
                SkipUnreferencedFrames = request.Forensic && !evenFrames,
                SkipDeblocking = request.Forensic && !backgroundModels,
                Excerpt = request.Excerpt,
            };
            var source = PrivacyMaskedSource.Wrap(await FrameSources.OpenAsync(location, decoding, config.Analysis.ImagesFps, logger, ct),
                SceneCompiler.PrivacyMasks(camera));
            if (rules.Any(r => r.NeedsCrowdCount))
                models.PeopleCounter = SceneCompiler.PeopleCounter(config, source.FrameWidth);
            // A start given applies as given, live or not (a camera replayed for a test of its schedules).
            var givenStart = request.StartClock ?? camera.StartClock(site);
            var clock = source.IsLive && givenStart is null
                ? FrameClock.Live(site)
                : FrameClock.Recording(givenStart ?? RecordingStart(location, source.Info), site);
            var sourceFps = source.Info.Fps > 0 ? source.Info.Fps : 25;
            return new PreparedAnalysis(source, detectors, models, camera, site, clock, rules,
                new ByteTracker(SceneCompiler.Tracker(config.Tracker, scoreThreshold)), logger, request.Forensic && config.Detector.IsModel,
                (float)scoreThreshold)
            {
                AnalysedFps = config.Analysis.Fps > 0 ? Math.Min(config.Analysis.Fps, sourceFps) : sourceFps,
            };
        }
        catch
        {
            foreach (var d in detectors) d.Dispose();
            models.Dispose();
            throw;
        }
    }

    /// <summary>
    /// When a recording began: its creation tag, else (most likely) its file's last write minus its
    /// length; a folder of images, now.
    /// </summary>
    public static DateTimeOffset RecordingStart(string location, StreamInfo info)
    {
        if (info.CreationTime is { } tagged) return tagged;
        if (!File.Exists(location)) return DateTimeOffset.Now;
        return new DateTimeOffset(File.GetLastWriteTimeUtc(location), TimeSpan.Zero) - (info.Duration ?? TimeSpan.Zero);
    }
}
