using OpenCvSharp;

namespace Vigie.Forensics;

/// <summary>The empty scene behind the moving objects: the per-pixel median of frames spread over a recording.</summary>
public static class SceneBackground
{
    public static Mat Median(IReadOnlyList<Mat> frames)
    {
        if (frames.Count == 0) throw new ArgumentException("no frames to make a background from", nameof(frames));
        var size = frames[0].Size();
        var usable = frames.Where(f => f.Size() == size && f.Type() == MatType.CV_8UC3).ToList();
        var length = size.Width * size.Height * 3;
        var planes = usable.Select(f =>
        {
            var bytes = new byte[length];
            using var continuous = f.IsContinuous() ? null : f.Clone();
            System.Runtime.InteropServices.Marshal.Copy((continuous ?? f).Data, bytes, 0, length);
            return bytes;
        }).ToList();
        var median = new byte[length];
        Parallel.For(0, size.Height, row =>
        {
            Span<byte> values = stackalloc byte[planes.Count];
            var start = row * size.Width * 3;
            for (int i = start; i < start + size.Width * 3; i++)
            {
                for (int k = 0; k < planes.Count; k++) values[k] = planes[k][i];
                values.Sort();
                median[i] = values[values.Length / 2];
            }
        });
        var result = new Mat(size, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(median, 0, result.Data, length);
        return result;
    }
}
