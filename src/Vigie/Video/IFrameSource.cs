namespace Vigie.Video;

/// <summary>A source of frames at the analysis rate and size.</summary>
public interface IFrameSource : IAsyncDisposable
{
    /// <summary>What the user gave: a path or URL.</summary>
    string Location { get; }

    /// <summary>A camera stream: frames may be dropped under load, and it never ends on its own.</summary>
    bool IsLive { get; }

    /// <summary>The original stream's properties.</summary>
    StreamInfo Info { get; }

    /// <summary>Size of the frames delivered (after scaling).</summary>
    int FrameWidth { get; }
    int FrameHeight { get; }

    /// <summary>
    /// Delivers frames in order. Each frame must be disposed by its consumer. Throws
    /// <see cref="VideoSourceException"/> when the source fails, after the frames it could deliver.
    /// </summary>
    IAsyncEnumerable<Frame> ReadFramesAsync(CancellationToken cancellationToken);

    /// <summary>Stretches of time the source had no picture for (a recorder that paused), found while reading.</summary>
    IReadOnlyList<FootageGap> Gaps => [];
}
