using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>The empty scene behind the moving objects: the per-pixel median of frames spread over time.</summary>
public static class SceneBackground
{
    /// <summary>
    /// Per-pixel median of 8-bit images of one size and type. With <paramref name="occupied"/> (one
    /// single-channel mask per frame, non-zero where something stood in front of the scene), a pixel's
    /// median is taken over the frames where it was free, or over all of them when it never was.
    /// </summary>
    public static Mat Median(IReadOnlyList<Mat> frames, IReadOnlyList<Mat>? occupied = null)
    {
        if (frames.Count == 0) throw new ArgumentException("no frames to make a background from", nameof(frames));
        var size = frames[0].Size();
        var type = frames[0].Type();
        if (type.Depth != MatType.CV_8U) throw new ArgumentException("8-bit images only", nameof(frames));
        var usable = Enumerable.Range(0, frames.Count).Where(i => frames[i].Size() == size && frames[i].Type() == type).ToList();
        var channels = type.Channels;
        var rowLength = size.Width * channels;
        var planes = usable.Select(i => Bytes(frames[i], size.Height * rowLength)).ToArray();
        var masks = occupied is null ? null : usable.Select(i => Bytes(occupied[i], size.Height * size.Width)).ToArray();
        var median = new byte[size.Height * rowLength];
        Parallel.For(0, size.Height, row =>
        {
            Span<byte> values = stackalloc byte[planes.Length];
            var start = row * rowLength;
            for (int i = start; i < start + rowLength; i++)
            {
                var n = 0;
                if (masks is not null)
                    for (int k = 0; k < planes.Length; k++)
                        if (masks[k][i / channels] == 0) values[n++] = planes[k][i];
                if (n == 0)
                    for (n = 0; n < planes.Length; n++) values[n] = planes[n][i];
                median[i] = Middle(values[..n]);
            }
        });
        var result = new Mat(size, type);
        System.Runtime.InteropServices.Marshal.Copy(median, 0, result.Data, median.Length);
        return result;
    }

    /// <summary>
    /// The value that sorting would put in the middle (the upper one of an even count), found by partitioning
    /// only the side that holds it: a whole sort per pixel was most of the time a background took. Reorders values.
    /// </summary>
    public static byte Middle(Span<byte> values)
    {
        int middle = values.Length / 2, low = 0, high = values.Length - 1;
        while (low < high)
        {
            var pivot = values[(low + high) / 2];
            int i = low, j = high;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i > j) break;
                (values[i], values[j]) = (values[j], values[i]);
                i++;
                j--;
            }
            if (middle <= j) high = j;
            else if (middle >= i) low = i;
            else break; // between the two sides: equal to the pivot
        }
        return values[middle];
    }

    private static byte[] Bytes(Mat image, int length)
    {
        var bytes = new byte[length];
        using var continuous = image.IsContinuous() ? null : image.Clone();
        System.Runtime.InteropServices.Marshal.Copy((continuous ?? image).Data, bytes, 0, length);
        return bytes;
    }
}
