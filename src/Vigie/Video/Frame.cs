using System.Collections.Concurrent;
using OpenCvSharp;

namespace Vigie.Video;

/// <summary>
/// One decoded BGR frame and its time from the start of the source. The frame owns its pixels until
/// disposed, when they return to the pool; a stage that keeps pixels longer clones them.
/// </summary>
public sealed class Frame : IDisposable
{
    private readonly FramePool? _pool;

    internal Frame(Mat image, long index, TimeSpan timestamp, FramePool? pool)
    {
        Image = image;
        Index = index;
        Timestamp = timestamp;
        _pool = pool;
    }

    public Mat Image { get; }
    /// <summary>Position among the frames delivered by this source, from 0.</summary>
    public long Index { get; }
    /// <summary>Presentation time from the stream, relative to the first frame delivered.</summary>
    public TimeSpan Timestamp { get; }

    /// <summary>When the decoder handed the frame over (Stopwatch ticks): the start of alert latency.</summary>
    public long ReceivedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public static Frame Wrap(Mat image, long index, TimeSpan timestamp) => new(image, index, timestamp, null);

    public void Dispose()
    {
        if (_pool is null) Image.Dispose();
        else _pool.Return(Image);
    }
}

/// <summary>Reuses frame buffers of one size so decoding does not allocate megabytes per frame.</summary>
public sealed class FramePool(int width, int height) : IDisposable
{
    private readonly ConcurrentBag<Mat> _free = [];

    public Mat Rent() => _free.TryTake(out var m) ? m : new Mat(height, width, MatType.CV_8UC3);

    public void Return(Mat m)
    {
        if (m.Width == width && m.Height == height && _free.Count < 16) _free.Add(m);
        else m.Dispose();
    }

    public void Dispose()
    {
        while (_free.TryTake(out var m)) m.Dispose();
    }
}
