using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Forensics;

/// <summary>
/// The colour name most of an object's pixels have ("a red car"). Used for vehicles and objects
/// only: the index never describes how a person looks.
/// </summary>
public static class DominantColour
{
    public static readonly IReadOnlyList<string> Names =
        ["black", "grey", "white", "red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "brown"];

    /// <summary>Names the colour of the central part of a box (its edges are mostly background).</summary>
    public static string Of(Mat bgrFrame, Box box)
    {
        var inner = new Box(box.X + box.Width * 0.2f, box.Y + box.Height * 0.2f, box.Width * 0.6f, box.Height * 0.6f)
            .ClampTo(bgrFrame.Width, bgrFrame.Height);
        var rect = new Rect((int)inner.X, (int)inner.Y, Math.Max(1, (int)inner.Width), Math.Max(1, (int)inner.Height))
            .Intersect(new Rect(0, 0, bgrFrame.Width, bgrFrame.Height));
        if (rect.Width < 1 || rect.Height < 1) return "unknown";
        using var roi = new Mat(bgrFrame, rect);
        using var small = new Mat();
        var scale = Math.Min(1.0, 48.0 / Math.Max(rect.Width, rect.Height));
        Cv2.Resize(roi, small, new Size(Math.Max(1, (int)(rect.Width * scale)), Math.Max(1, (int)(rect.Height * scale))), 0, 0, InterpolationFlags.Area);
        using var hsv = new Mat();
        Cv2.CvtColor(small, hsv, ColorConversionCodes.BGR2HSV_FULL);
        var counts = new int[Names.Count];
        int rows = hsv.Rows, cols = hsv.Cols;
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < cols; x++)
            {
                var p = hsv.At<Vec3b>(y, x);
                counts[Name(p.Item0 * 360 / 256.0, p.Item1 / 255.0, p.Item2 / 255.0)]++;
            }
        return Names[Array.IndexOf(counts, counts.Max())];
    }

    /// <summary>Index into <see cref="Names"/> of one pixel's colour; hue in degrees, saturation and value 0..1.</summary>
    public static int Name(double hue, double saturation, double value)
    {
        if (value < 0.2) return 0;
        if (saturation < 0.2) return value > 0.75 ? 2 : 1;
        if (hue < 15 || hue >= 340) return value < 0.45 ? 11 : 3;
        if (hue < 40) return value < 0.55 ? 11 : 4;
        if (hue < 70) return 5;
        if (hue < 160) return 6;
        if (hue < 195) return 7;
        if (hue < 260) return 8;
        if (hue < 300) return 9;
        return 10;
    }
}
