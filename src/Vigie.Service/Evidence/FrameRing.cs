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
public sealed record KeptFrame(TimeSpan Time, DateTimeOffset Clock, byte[] Jpeg, IReadOnlyList<KeptBox> Boxes, Mat? Background = null)
{
    /// <summary>Which run of the camera's source the frame is from: it starts again after a lost stream, or at a looped file's end.</summary>
    public int Run { get; init; }
}

/// <summary>
/// The last few seconds of one camera, from which alert snapshots and clips are cut. They outlive a restart of the
/// source: an alert raised just before a stream was lost (a camera cut by the very person it shows) keeps the seconds
/// before it, which its clip is made of.
/// </summary>
public sealed class FrameRing(TimeSpan span)
{
    private readonly LinkedList<KeptFrame> _frames = [];
    private readonly object _gate = new();

    public TimeSpan Span => span;

    public void Add(KeptFrame frame)
    {
        lock (_gate)
        {
            _frames.AddLast(frame);
            // By clock time: a restarted source starts its stream times again from zero. Both ways: when the system's time
            // is set back, the restarted source's clock starts behind the frames kept, which would otherwise stay for as long.
            while (_frames.First is { } first && (frame.Clock - first.Value.Clock).Duration() > span) _frames.RemoveFirst();
        }
    }

    public KeptFrame? Latest
    {
        get
        {
            lock (_gate) return _frames.Last?.Value;
        }
    }

    /// <summary>Frames of this run of the source whose clock time lies in [from, to]: nothing after a cut is joined to what came before it.</summary>
    public IReadOnlyList<KeptFrame> Between(DateTimeOffset from, DateTimeOffset to, int run)
    {
        lock (_gate) return _frames.Where(f => f.Run == run && f.Clock >= from && f.Clock <= to).ToList();
    }
}
