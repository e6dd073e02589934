using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Service.Evidence;

/// <summary>A tracked object's box on one kept frame, in that frame's pixels.</summary>
public sealed record KeptBox(int TrackId, Category Category, Box Box);

/// <summary>
/// One analysed frame kept in memory for evidence: JPEG-compressed, as decoded (not yet blurred: it
/// never leaves the process in this form), with the tracked boxes that the privacy filter needs and the
/// camera's empty scene at that time (null while it is being learnt), against which people the
/// detector missed are found.
/// </summary>
public sealed record KeptFrame(TimeSpan Time, DateTimeOffset Clock, byte[] Jpeg, IReadOnlyList<KeptBox> Boxes, Mat? Background = null);

/// <summary>The last few seconds of one camera, from which alert snapshots and clips are cut.</summary>
public sealed class FrameRing(TimeSpan span)
{
    private readonly LinkedList<KeptFrame> _frames = [];
    private readonly object _gate = new();

    public TimeSpan Span => span;

    public void Add(KeptFrame frame)
    {
        lock (_gate)
        {
            // A restarted source (reconnection, looped file) starts its times again from zero.
            if (_frames.Last is { } last && frame.Time < last.Value.Time) _frames.Clear();
            _frames.AddLast(frame);
            while (_frames.First is { } first && frame.Time - first.Value.Time > span) _frames.RemoveFirst();
        }
    }

    public KeptFrame? Latest
    {
        get
        {
            lock (_gate) return _frames.Last?.Value;
        }
    }

    /// <summary>Frames whose clock time lies in [from, to].</summary>
    public IReadOnlyList<KeptFrame> Between(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate) return _frames.Where(f => f.Clock >= from && f.Clock <= to).ToList();
    }
}
