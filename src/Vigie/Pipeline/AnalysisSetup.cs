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
}

/// <summary>An opened source, a loaded detector and the rules of one camera, ready to run.</summary>
public sealed class PreparedAnalysis : IAsyncDisposable
{
    internal PreparedAnalysis(IFrameSource source, IDetector detector, CameraConfig camera, DateTimeOffset startClock,
        IReadOnlyList<IEventRule> rules, ByteTracker tracker, ILogger logger)
    {
        Source = source;
        Detector = detector;
        Camera = camera;
        StartClock = startClock;
        Pipeline = new AnalysisPipeline(source, detector, tracker, rules, camera.Name, startClock, logger);
        Zones = camera.Zones.Select(SceneCompiler.Zone).ToList();
        Lines = camera.Lines.Select(l => new WatchedLine(l.Name, new((float)l.From[0], (float)l.From[1]),
            new((float)l.To[0], (float)l.To[1]), Schedule.Always)).ToList();
    }

    public IFrameSource Source { get; }
    public IDetector Detector { get; }
    public CameraConfig Camera { get; }
    public DateTimeOffset StartClock { get; }
    public AnalysisPipeline Pipeline { get; }
    public IReadOnlyList<WatchedZone> Zones { get; }
    public IReadOnlyList<WatchedLine> Lines { get; }

    /// <summary>Rate of the analysed frames, e.g. for an annotated video of them.</summary>
    public double AnalysedFps { get; init; }

    public async ValueTask DisposeAsync()
    {
        Detector.Dispose();
        await Source.DisposeAsync();
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
        var detector = SceneCompiler.Detector(config.Detector, threads);
        try
        {
            var source = await FrameSources.OpenAsync(location, config.Analysis, threads, logger, ct, request.SimulateLive);
            var start = request.StartClock ?? camera.StartTime ?? source.Info.CreationTime ?? GuessStart(location, source);
            var sourceFps = source.Info.Fps > 0 ? source.Info.Fps : 25;
            return new PreparedAnalysis(source, detector, camera, start, SceneCompiler.Rules(camera),
                new ByteTracker(SceneCompiler.Tracker(config.Tracker)), logger)
            {
                AnalysedFps = config.Analysis.Fps > 0 ? Math.Min(config.Analysis.Fps, sourceFps) : sourceFps,
            };
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    /// <summary>A recording without a creation tag most likely ended when its file was last written.</summary>
    private static DateTimeOffset GuessStart(string location, IFrameSource source)
    {
        if (source.IsLive || !File.Exists(location)) return DateTimeOffset.Now;
        return new DateTimeOffset(File.GetLastWriteTimeUtc(location), TimeSpan.Zero) - (source.Info.Duration ?? TimeSpan.Zero);
    }
}
