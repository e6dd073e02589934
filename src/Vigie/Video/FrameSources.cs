using Microsoft.Extensions.Logging;
using Vigie.Config;

namespace Vigie.Video;

/// <summary>Opens the right source for what the user gave: a file, a camera URL or a folder of images.</summary>
public static class FrameSources
{
    public static DecodeOptions Decoding(AnalysisConfig analysis, int decoderThreads, bool simulateLive = false) =>
        new(analysis.Fps, analysis.MaxWidth, decoderThreads, TimeSpan.FromSeconds(analysis.StallTimeoutS), simulateLive);

    /// <param name="imagesFps">For a folder of images: the rate they were taken at.</param>
    public static async Task<IFrameSource> OpenAsync(string location, DecodeOptions decoding, double imagesFps,
        ILogger logger, CancellationToken ct = default)
    {
        if (Directory.Exists(location))
            return ImageFolderSource.Open(location, imagesFps, decoding.Fps, decoding.MaxWidth, logger);
        return await FfmpegSource.OpenAsync(location, decoding, ct);
    }
}
