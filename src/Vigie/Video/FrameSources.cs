using Microsoft.Extensions.Logging;
using Vigie.Config;

namespace Vigie.Video;

/// <summary>Opens the right source for what the user gave: a file, a camera URL or a folder of images.</summary>
public static class FrameSources
{
    public static async Task<IFrameSource> OpenAsync(string location, AnalysisConfig analysis, int decoderThreads,
        ILogger logger, CancellationToken ct = default, bool simulateLive = false)
    {
        if (Directory.Exists(location))
            return ImageFolderSource.Open(location, analysis.ImagesFps, analysis.Fps, analysis.MaxWidth, logger);
        return await FfmpegSource.OpenAsync(location,
            new DecodeOptions(analysis.Fps, analysis.MaxWidth, decoderThreads, TimeSpan.FromSeconds(analysis.StallTimeoutS), simulateLive), ct);
    }
}
