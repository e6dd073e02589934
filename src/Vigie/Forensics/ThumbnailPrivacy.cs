using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Video;

namespace Vigie.Forensics;

/// <summary>
/// Thumbnails are cut while a recording is analysed, before its empty background is known, and then hide
/// the people the tracker knows of. Once the background is made, whatever else in a thumbnail differs from
/// it (someone the detector missed for longer than the tracker remembers them) is pixelated too, except
/// the vehicles and objects known in it: the same safety net as excerpts.
/// </summary>
public static class ThumbnailPrivacy
{
    public static void Write(string path, Mat image)
    {
        if (!Cv2.ImWrite(path, image, new ImageEncodingParam(ImwriteFlags.JpegQuality, 85)))
            throw new IOException($"cannot write thumbnail {path} (disk full?)");
    }

    /// <param name="background">The recording's empty scene, in the pixels the thumbnails were cut from.</param>
    /// <returns>How many thumbnails had something more pixelated.</returns>
    /// <remarks>One after the other: recordings are finished side by side already, and a recording's
    /// thumbnails take a fraction of a millisecond each.</remarks>
    public static int HideUnknown(string indexFolder, IEnumerable<Thumbnail> thumbnails, Mat background)
    {
        var bounds = new Rect(0, 0, background.Width, background.Height);
        var changed = 0;
        foreach (var thumbnail in thumbnails)
            if (HideUnknown(Path.Combine(indexFolder, thumbnail.File), thumbnail, background, bounds)) changed++;
        return changed;
    }

    private static bool HideUnknown(string path, Thumbnail thumbnail, Mat background, Rect bounds)
    {
        using var image = Cv2.ImRead(path);
        // One that cannot be read back cannot be checked: it goes (its track's thumbnail is then missing, as if deleted).
        if (image.Empty())
        {
            File.Delete(path);
            return false;
        }
        var crop = new Rect((int)thumbnail.Crop.X, (int)thumbnail.Crop.Y, image.Width, image.Height);
        // A crop that does not lie within the background (not cut from these pixels) is hidden whole.
        if (crop.Intersect(bounds) != crop)
        {
            PrivacyFilter.Pixelate(image, new Box(0, 0, image.Width, image.Height));
        }
        else
        {
            using var behind = new Mat(background, crop);
            if (!ForegroundPrivacy.Hide(image, behind, thumbnail.Things, background.Size())) return false;
        }
        Write(path, image);
        return true;
    }
}
