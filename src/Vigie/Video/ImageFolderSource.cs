using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace Vigie.Video;

/// <summary>
/// A folder of still images played as a video, in natural name order (img2 before img10), at a
/// configured number of images per second. Unreadable images are skipped with a warning.
/// </summary>
public sealed class ImageFolderSource : IFrameSource
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"];
    private readonly IReadOnlyList<string> _files;
    private readonly double _imagesPerSecond;
    private readonly double _analysisFps;
    private readonly ILogger _logger;

    private ImageFolderSource(string folder, IReadOnlyList<string> files, Size firstSize, double imagesPerSecond,
        double analysisFps, int maxWidth, ILogger logger)
    {
        Location = folder;
        _files = files;
        _imagesPerSecond = imagesPerSecond;
        _analysisFps = analysisFps;
        _logger = logger;
        Info = new StreamInfo(firstSize.Width, firstSize.Height, imagesPerSecond,
            TimeSpan.FromSeconds(files.Count / imagesPerSecond), "images", null);
        (FrameWidth, FrameHeight) = FfmpegSource.OutputSize(firstSize.Width, firstSize.Height, maxWidth);
    }

    public string Location { get; }
    public bool IsLive => false;
    public StreamInfo Info { get; }
    public int FrameWidth { get; }
    public int FrameHeight { get; }

    public static ImageFolderSource Open(string folder, double imagesPerSecond, double analysisFps, int maxWidth, ILogger logger)
    {
        var files = Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .OrderBy(f => Path.GetFileName(f), NaturalComparer.Instance)
            .ToList();
        if (files.Count == 0)
            throw new VideoSourceException($"{folder}: no images ({string.Join(", ", Extensions)}) in this folder");
        foreach (var f in files)
        {
            using var first = Cv2.ImRead(f, ImreadModes.Color);
            if (!first.Empty()) return new ImageFolderSource(folder, files, first.Size(), imagesPerSecond, analysisFps, maxWidth, logger);
        }
        throw new VideoSourceException($"{folder}: none of its {files.Count} images can be read");
    }

    public async IAsyncEnumerable<Frame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long delivered = 0;
        var nextDue = TimeSpan.Zero;
        var step = _analysisFps > 0 ? TimeSpan.FromSeconds(1 / _analysisFps) : TimeSpan.Zero;
        for (int i = 0; i < _files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var time = TimeSpan.FromSeconds(i / _imagesPerSecond);
            if (time < nextDue) continue;
            var image = await Task.Run(() => Cv2.ImRead(_files[i], ImreadModes.Color), cancellationToken);
            if (image.Empty())
            {
                image.Dispose();
                _logger.LogWarning("skipping unreadable image {File}", _files[i]);
                continue;
            }
            if (image.Width != FrameWidth || image.Height != FrameHeight)
                Cv2.Resize(image, image, new Size(FrameWidth, FrameHeight), 0, 0, InterpolationFlags.Area);
            nextDue = time + step;
            yield return Frame.Wrap(image, delivered++, time);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Orders "img2.jpg" before "img10.jpg", as a person numbering files expects.</summary>
    public sealed class NaturalComparer : IComparer<string>
    {
        public static readonly NaturalComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null) return string.CompareOrdinal(x, y);
            int i = 0, j = 0;
            while (i < x.Length && j < y.Length)
            {
                if (char.IsDigit(x[i]) && char.IsDigit(y[j]))
                {
                    int si = i, sj = j;
                    while (i < x.Length && char.IsDigit(x[i])) i++;
                    while (j < y.Length && char.IsDigit(y[j])) j++;
                    var a = x[si..i].TrimStart('0');
                    var b = y[sj..j].TrimStart('0');
                    var c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
                    if (c != 0) return c;
                }
                else
                {
                    var c = x[i].CompareTo(y[j]);
                    if (c != 0) return c;
                    i++;
                    j++;
                }
            }
            return (x.Length - i).CompareTo(y.Length - j);
        }
    }
}
