using OpenCvSharp;
using Vigie.Analytics;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Video;

/// <summary>
/// Draws zones, lines, tracks and active alerts on a copy of a frame. Callers pass the frame through
/// <see cref="PrivacyFilter"/> first: an exported video never shows anyone identifiable.
/// </summary>
public static class Annotator
{
    private static readonly Scalar ZoneColour = new(0, 200, 255);
    private static readonly Scalar AlertColour = new(0, 0, 255);
    private static readonly Scalar TrackColour = new(80, 220, 80);

    public static void Draw(Mat image, IReadOnlyList<Track> tracks, IReadOnlyList<WatchedZone> zones,
        IReadOnlyList<WatchedLine> lines, IReadOnlySet<int> alertingTracks, TimeSpan time)
    {
        int w = image.Width, h = image.Height;
        foreach (var z in zones)
        {
            var pts = z.Polygon.Select(p => new Point(p.X * w, p.Y * h)).ToArray();
            Cv2.Polylines(image, [pts], isClosed: true, ZoneColour, 2);
            Cv2.PutText(image, z.Name, pts[0] + new Point(4, 16), HersheyFonts.HersheySimplex, 0.5, ZoneColour, 1, LineTypes.AntiAlias);
        }
        foreach (var l in lines)
        {
            var a = new Point(l.From.X * w, l.From.Y * h);
            var b = new Point(l.To.X * w, l.To.Y * h);
            Cv2.ArrowedLine(image, a, b, ZoneColour, 2, LineTypes.AntiAlias, 0, 0.03);
            Cv2.PutText(image, l.Name, a + new Point(4, -6), HersheyFonts.HersheySimplex, 0.5, ZoneColour, 1, LineTypes.AntiAlias);
        }
        foreach (var t in tracks)
        {
            var colour = alertingTracks.Contains(t.Id) ? AlertColour : TrackColour;
            var r = new Rect((int)t.Box.X, (int)t.Box.Y, (int)t.Box.Width, (int)t.Box.Height);
            Cv2.Rectangle(image, r, colour, 2);
            Cv2.PutText(image, $"{t.Label} #{t.Id}", new Point(r.X, Math.Max(12, r.Y - 4)), HersheyFonts.HersheySimplex, 0.45,
                colour, 1, LineTypes.AntiAlias);
        }
        Cv2.PutText(image, $"{time:hh\\:mm\\:ss\\.f}", new Point(8, h - 10), HersheyFonts.HersheySimplex, 0.6, Scalar.White, 2, LineTypes.AntiAlias);
    }

    /// <summary>A box with a short label above it on a dark band, readable on any background.</summary>
    public static void Label(Mat image, Geometry.Box box, string text, Scalar colour)
    {
        var r = new Rect((int)box.X, (int)box.Y, (int)box.Width, (int)box.Height);
        Cv2.Rectangle(image, r, colour, 2);
        var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, 0.45, 1, out _);
        var origin = new Point(Math.Clamp(r.X, 0, Math.Max(0, image.Width - size.Width - 4)), Math.Max(size.Height + 4, r.Y - 4));
        Cv2.Rectangle(image, new Rect(origin.X, origin.Y - size.Height - 3, size.Width + 4, size.Height + 6), Scalar.Black, -1);
        Cv2.PutText(image, text, origin + new Point(2, 0), HersheyFonts.HersheySimplex, 0.45, colour, 1, LineTypes.AntiAlias);
    }
}
