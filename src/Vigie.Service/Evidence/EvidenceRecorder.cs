using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using OpenCvSharp;
using Vigie.Config;
using Vigie.Geometry;
using Vigie.Service.Storage;
using Vigie.Video;

namespace Vigie.Service.Evidence;

/// <summary>What to outline on an alert's evidence: the event's box and tracks, and where the rule watched.</summary>
/// <param name="ThingShown">Whether the event's box frames a thing (flames, a left bag, a weapon) that stays visible
/// where whatever else differs from the empty scene is pixelated.</param>
public sealed record AlertMarks(Box EventBox, IReadOnlyList<int> TrackIds, IReadOnlyList<Point2> Zone, bool ThingShown = false);

/// <summary>
/// Turns kept frames into the files an operator sees: a JPEG snapshot and an H.264 clip per alert.
/// Every frame goes through the privacy filter first (people found, faces, and whatever else differs
/// from the camera's empty scene); nothing unblurred is ever written. Each frame is stamped with its time on
/// the site's clock (<paramref name="site"/>), offset included: the hour after summer time ends repeats.
/// </summary>
public sealed class EvidenceRecorder(string dataFolder, int maxWidth, PrivacyFilter privacy, TimeZoneInfo site, ILogger logger)
{
    private static readonly Scalar AlertColour = new(0, 0, 255);
    private static readonly Scalar ZoneColour = new(0, 200, 255);
    private readonly SemaphoreSlim _encoders = new(1);
    // Each frame's faces, found once on the whole picture before anything is hidden: a frame is shown in the clips of every
    // alert whose seconds it falls in (on a busy camera, several), in a snapshot and in live previews, and finding faces
    // was about two thirds of the time a clip took.
    private readonly ConditionalWeakTable<KeptFrame, Box[]> _faces = new();
    private readonly ConditionalWeakTable<KeptFrame, byte[]> _previews = new();

    public string DataFolder => dataFolder;

    /// <summary>Writes the snapshot; returns its path relative to the data folder, or null when it could not be written.</summary>
    public string? Snapshot(long alertId, string camera, DateTimeOffset day, KeptFrame frame, AlertMarks marks) =>
        SaveSnapshot(alertId, camera, day, () => SnapshotJpeg(frame, marks));

    /// <summary>The snapshot's JPEG: the frame blurred, outlined and stamped.</summary>
    public byte[] SnapshotJpeg(KeptFrame frame, AlertMarks marks)
    {
        using var image = Render(frame, marks);
        return image.ImEncode(".jpg", [(int)ImwriteFlags.JpegQuality, 85]);
    }

    /// <summary>Writes a snapshot's JPEG, made now or kept since the service last stopped; returns its path relative to the data folder, or null when it could not be written.</summary>
    public string? SaveSnapshot(long alertId, string camera, DateTimeOffset day, Func<byte[]> jpeg)
    {
        var relative = RelativePath(camera, day, $"{alertId}.jpg");
        try
        {
            var full = Path.Combine(dataFolder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            WriteAtomically(full, jpeg());
            return relative;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OpenCVException)
        {
            logger.LogError("alert {Id}: snapshot not saved: {Message}", alertId, e.Message);
            return null;
        }
    }

    /// <summary>Encodes the clip; returns its path relative to the data folder, or null when it could not be written.</summary>
    /// <param name="beginning">Earlier frames, far apart (one a second), shown first, each held for a second.</param>
    public async Task<string?> ClipAsync(long alertId, string camera, DateTimeOffset day, IReadOnlyList<KeptFrame> frames, AlertMarks marks,
        CancellationToken ct, IReadOnlyList<KeptFrame>? beginning = null)
    {
        if (frames.Count < 2) throw new ArgumentException("a clip needs at least two frames", nameof(frames));
        var relative = RelativePath(camera, day, $"{alertId}.mp4");
        var full = Path.Combine(dataFolder, relative);
        var span = (frames[^1].Time - frames[0].Time).TotalSeconds;
        var fps = Math.Clamp((frames.Count - 1) / Math.Max(span, 1e-3), 1, 30);
        await _encoders.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await PartialVideo.WriteAsync(full, temp => Task.Run(() =>
            {
                using (var first = Render(frames[0], marks))
                using (var writer = new FfmpegVideoWriter(temp, first.Width, first.Height, fps))
                {
                    using var resized = new Mat();
                    void Write(Mat image, int times)
                    {
                        var sized = image;
                        if (image.Width != first.Width || image.Height != first.Height)
                        {
                            Cv2.Resize(image, resized, new Size(first.Width, first.Height));
                            sized = resized;
                        }
                        for (int i = 0; i < times; i++) writer.Write(sized);
                    }
                    foreach (var f in beginning ?? [])
                    {
                        ct.ThrowIfCancellationRequested();
                        using var image = Render(f, marks);
                        Write(image, (int)Math.Round(fps));
                    }
                    writer.Write(first);
                    foreach (var f in frames.Skip(1))
                    {
                        ct.ThrowIfCancellationRequested();
                        using var image = Render(f, marks);
                        Write(image, 1);
                    }
                }
            }, ct));
            return relative;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OpenCVException or VideoSourceException)
        {
            logger.LogError("alert {Id}: clip not saved: {Message}", alertId, e.Message);
            return null;
        }
        finally
        {
            _encoders.Release();
        }
    }

    /// <summary>A blurred JPEG of a kept frame, for the console's live preview; made once per frame, however many consoles ask.</summary>
    public byte[] Preview(KeptFrame frame) => _previews.GetValue(frame, f =>
    {
        using var image = Render(f, null);
        return image.ImEncode(".jpg", [(int)ImwriteFlags.JpegQuality, 75]);
    });

    /// <summary>Decodes, scales, blurs people and faces, then outlines the alert and stamps the clock time.</summary>
    public Mat Render(KeptFrame frame, AlertMarks? marks)
    {
        using var decoded = Cv2.ImDecode(frame.Jpeg, ImreadModes.Color);
        var scale = decoded.Width > maxWidth ? (float)maxWidth / decoded.Width : 1f;
        var image = new Mat();
        if (scale < 1) Cv2.Resize(decoded, image, new Size(maxWidth, (int)Math.Round(decoded.Height * scale)), 0, 0, InterpolationFlags.Area);
        else decoded.CopyTo(image);
        int w = image.Width, h = image.Height;
        var faces = _faces.GetValue(frame, _ => privacy.Faces(image).ToArray());
        // The safety net: people the detector missed differ from the empty scene too; before the camera's empty
        // scene is learnt, nothing tells them from it, and all but the known things is pixelated.
        var things = frame.Boxes.Where(b => !PrivacyFilter.HidesCategory(b.Category)).Select(b => b.Box.Scale(scale, scale)).ToList();
        if (marks is { ThingShown: true } m) things.Add(m.EventBox.Scale(w, h));
        ForegroundPrivacy.Hide(image, frame.Background, things);
        privacy.Apply(image, frame.Boxes.Where(b => PrivacyFilter.HidesCategory(b.Category)).Select(b => b.Box.Scale(scale, scale)), faces);
        if (marks is not null)
        {
            if (marks.Zone.Count >= 2)
                Cv2.Polylines(image, [marks.Zone.Select(p => new Point(p.X * w, p.Y * h)).ToArray()], marks.Zone.Count > 2, ZoneColour, 2, LineTypes.AntiAlias);
            var tracked = frame.Boxes.Where(b => marks.TrackIds.Contains(b.TrackId)).Select(b => b.Box.Scale(scale, scale)).ToList();
            if (tracked.Count == 0 && marks.TrackIds.Count == 0)
                tracked.Add(new Box(marks.EventBox.X * w, marks.EventBox.Y * h, marks.EventBox.Width * w, marks.EventBox.Height * h));
            foreach (var b in tracked)
                Cv2.Rectangle(image, new Rect((int)b.X, (int)b.Y, (int)b.Width, (int)b.Height), AlertColour, 2);
        }
        var stamp = SiteTime.On(site, frame.Clock).ToString("yyyy-MM-dd HH:mm:ss.f zzz", CultureInfo.InvariantCulture);
        Cv2.PutText(image, stamp, new Point(8, h - 10), HersheyFonts.HersheySimplex, 0.6, Scalar.Black, 4, LineTypes.AntiAlias);
        Cv2.PutText(image, stamp, new Point(8, h - 10), HersheyFonts.HersheySimplex, 0.6, Scalar.White, 1, LineTypes.AntiAlias);
        return image;
    }

    /// <summary>The full path of a stored evidence file, or null when it is missing or lies outside the data folder.</summary>
    public string? Existing(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(dataFolder, relative));
        return full.StartsWith(Path.GetFullPath(dataFolder) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full) ? full : null;
    }

    /// <summary>The alert's snapshot and clip files still stored, as full paths.</summary>
    public IEnumerable<string> FilesOf(AlertRecord alert) => new[] { alert.Snapshot, alert.Clip }.OfType<string>().Select(Existing).OfType<string>();

    /// <summary>Deletes the alert's snapshot and clip files; returns how many there were.</summary>
    public int DeleteFilesOf(AlertRecord alert)
    {
        var files = FilesOf(alert).ToList();
        foreach (var file in files) File.Delete(file);
        return files.Count;
    }

    private static string RelativePath(string camera, DateTimeOffset day, string file)
    {
        var safe = new string(camera.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        return Path.Combine("evidence", safe, day.UtcDateTime.ToString("yyyy-MM-dd"), file);
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = path + ".part";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }
}
