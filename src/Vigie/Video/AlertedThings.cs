using Vigie.Analytics;
using Vigie.Geometry;

namespace Vigie.Video;

/// <summary>
/// The things open alerts are about (flames, a left bag, a weapon), which the privacy safety net
/// (<see cref="ForegroundPrivacy"/>) must leave visible although no detector may know them as objects:
/// an operator watching a fire needs to see it.
/// </summary>
public sealed class AlertedThings
{
    private readonly Dictionary<(string Kind, string Where, TimeSpan Start), Box> _open = [];

    public void Follow(EventChange change)
    {
        var e = change.Event;
        if (!EventKinds.AboutAThing(e.Kind)) return;
        if (change.Closed) _open.Remove((e.Kind, e.Where, e.Start));
        else _open[(e.Kind, e.Where, e.Start)] = e.Box;
    }

    /// <summary>Their boxes in the pixels of a frame of this size.</summary>
    public IEnumerable<Box> On(int width, int height) => _open.Values.Select(b => b.Scale(width, height));
}
