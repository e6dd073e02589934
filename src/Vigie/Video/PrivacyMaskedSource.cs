using System.Runtime.CompilerServices;
using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Video;

/// <summary>
/// Blacks out a camera's privacy masks (windows, house entrances) in every frame as it leaves the
/// decoder, so that nothing downstream — detection, rules, evidence, previews — ever sees those pixels.
/// </summary>
public sealed class PrivacyMaskedSource(IFrameSource inner, IReadOnlyList<IReadOnlyList<Point2>> masks) : IFrameSource
{
    public string Location => inner.Location;
    public bool IsLive => inner.IsLive;
    public StreamInfo Info => inner.Info;
    public int FrameWidth => inner.FrameWidth;
    public int FrameHeight => inner.FrameHeight;
    public IReadOnlyList<FootageGap> Gaps => inner.Gaps;

    /// <summary>The source itself when there is no mask.</summary>
    public static IFrameSource Wrap(IFrameSource source, IReadOnlyList<IReadOnlyList<Point2>> masks) =>
        masks.Count == 0 ? source : new PrivacyMaskedSource(source, masks);

    public async IAsyncEnumerable<Frame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Point[][]? pixels = null;
        await foreach (var frame in inner.ReadFramesAsync(cancellationToken))
        {
            var image = frame.Image;
            pixels ??= ToPixels(masks, image.Width, image.Height);
            Cv2.FillPoly(image, pixels, Scalar.Black);
            yield return frame;
        }
    }

    /// <summary>Normalised polygons to pixel polygons of an image of this size.</summary>
    public static Point[][] ToPixels(IReadOnlyList<IReadOnlyList<Point2>> masks, int width, int height) =>
        masks.Select(m => m.Select(p => new Point((int)Math.Round(p.X * width), (int)Math.Round(p.Y * height))).ToArray()).ToArray();

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
