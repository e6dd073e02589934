using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>
/// What one place of the image looks like: a 16×16 grey thumbnail of a box, zero mean and unit length,
/// so that a change of light does not matter. Used to tell whether a still object is still where it was
/// when the detector misses it; never taken of people (the red line: no appearance of persons).
/// </summary>
public sealed record ObjectLook(float[] Values, double Mean, double Contrast)
{
    private const int Side = 16;
    // Below this spread of grey levels a thumbnail is flat: its pattern is noise, only its brightness counts.
    private const double FlatContrast = 4;

    /// <summary>The look of a box (frame pixels) of an image; null when the box is under 4 pixels on a side within the image.</summary>
    public static ObjectLook? Of(Mat bgr, Box box)
    {
        var x = (int)Math.Max(0, Math.Floor(box.X));
        var y = (int)Math.Max(0, Math.Floor(box.Y));
        var right = (int)Math.Min(bgr.Width, Math.Ceiling(box.Right));
        var bottom = (int)Math.Min(bgr.Height, Math.Ceiling(box.Bottom));
        if (right - x < 4 || bottom - y < 4) return null;
        using var region = new Mat(bgr, new Rect(x, y, right - x, bottom - y));
        using var grey = new Mat();
        using var small = new Mat();
        Cv2.CvtColor(region, grey, ColorConversionCodes.BGR2GRAY);
        Cv2.Resize(grey, small, new Size(Side, Side), 0, 0, InterpolationFlags.Area);
        small.GetArray(out byte[] pixels);
        return FromGrey(pixels);
    }

    /// <summary>A look from grey levels (16×16, row by row). Pure.</summary>
    public static ObjectLook FromGrey(IReadOnlyList<byte> grey)
    {
        var mean = grey.Average(v => (double)v);
        var spread = Math.Sqrt(grey.Average(v => (v - mean) * (v - mean)));
        var norm = Math.Sqrt(grey.Sum(v => (v - mean) * (v - mean)));
        var values = grey.Select(v => norm > 1e-9 ? (float)((v - mean) / norm) : 0f).ToArray();
        return new ObjectLook(values, mean, spread);
    }

    /// <summary>
    /// How alike two looks are, 1 = the same pattern: their correlation; for flat thumbnails, their
    /// closeness in brightness. Pure.
    /// </summary>
    public double Similarity(ObjectLook other)
    {
        if (Contrast < FlatContrast || other.Contrast < FlatContrast)
            return Contrast < FlatContrast && other.Contrast < FlatContrast ? 1 - Math.Min(1, Math.Abs(Mean - other.Mean) / 40) : 0;
        double dot = 0;
        for (int i = 0; i < Values.Length; i++) dot += Values[i] * other.Values[i];
        return dot;
    }
}
