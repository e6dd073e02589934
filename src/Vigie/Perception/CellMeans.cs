using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>Means over the square cells of a grid laid on an image, as the motion field and the fire cues read them.</summary>
public static class CellMeans
{
    /// <summary>
    /// The mean of each <paramref name="cell"/>-pixel cell of an image, row by row, the channels of a cell
    /// side by side (a two-channel flow gives x, y, x, y…): one area resize of the grid (in floating point,
    /// so exact) instead of a native call per cell, which cost more.
    /// </summary>
    public static float[] Of(Mat image, int columns, int rows, int cell)
    {
        using var grid = new Mat(image, new Rect(0, 0, columns * cell, rows * cell));
        using var real = new Mat();
        grid.ConvertTo(real, MatType.CV_32F);
        using var means = new Mat();
        Cv2.Resize(real, means, new Size(columns, rows), 0, 0, InterpolationFlags.Area);
        using var flat = means.Reshape(1);
        flat.GetArray(out float[] values);
        return values;
    }
}
