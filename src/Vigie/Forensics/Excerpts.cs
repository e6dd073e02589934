using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Video;

namespace Vigie.Forensics;

/// <summary>
/// "Jump to the moment": a short video of a search hit from its recording, the object framed and
/// labelled with its clock time; every person the index knows of at that moment, and whatever else
/// differs from the empty scene except known vehicles and objects, pixelated (faces too with a face
/// model). Without a privacy filter nobody is pixelated: only for a supervisor's logged lift.
/// </summary>
public static class Excerpts
{
    public static readonly TimeSpan Before = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan After = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxLength = TimeSpan.FromSeconds(60);
    public const double MaxFps = 10;

    /// <param name="privacy">The people filter; null lifts it (the caller has checked the role and logged the reason).</param>
    public static async Task WriteAsync(TrackIndex index, IndexedTrack hit, string outputPath, PrivacyFilter? privacy, CancellationToken ct)
    {
        var recording = hit.Recording;
        var from = Math.Max(0, hit.Facts.StartS - Before.TotalSeconds);
        var to = Math.Min(recording.DurationS, Math.Min(hit.Facts.EndS + After.TotalSeconds, from + MaxLength.TotalSeconds));
        var around = index.Search(new TrackQuery
            {
                Camera = recording.Camera,
                From = recording.StartClock + TimeSpan.FromSeconds(from),
                To = recording.StartClock + TimeSpan.FromSeconds(to),
                Limit = 10000,
            })
            .Where(t => t.Recording.Id == recording.Id).ToList();
        var people = around.Where(t => PrivacyFilter.HidesCategory(t.Facts.Category)).ToList();
        var things = around.Where(t => !PrivacyFilter.HidesCategory(t.Facts.Category)).ToList();
        using var background = recording.Background is { } file ? Cv2.ImRead(Path.Combine(index.Folder, file)) : null;
        var fps = Math.Min(MaxFps, recording.Fps > 0 ? recording.Fps : MaxFps);
        await using var source = await FfmpegSource.OpenAsync(recording.Path,
            new DecodeOptions(fps, recording.Width > 0 ? recording.Width : 1280, 2) { Excerpt = (TimeSpan.FromSeconds(from), TimeSpan.FromSeconds(to - from)) }, ct);
        FfmpegVideoWriter? writer = null;
        try
        {
            await foreach (var frame in source.ReadFramesAsync(ct))
                using (frame)
                {
                    var image = frame.Image;
                    var t = frame.Timestamp.TotalSeconds;
                    if (privacy is not null)
                    {
                        if (background is not null && !background.Empty())
                            ForegroundPrivacy.Hide(image, background,
                                things.Select(p => PathPoints.BoxAt(p.Path, t)).OfType<Box>().Select(b => Pixels(b, image)).ToList());
                        privacy.Apply(image, people.Select(p => PathPoints.BoxAt(p.Path, t)).OfType<Box>().Select(b => Pixels(b, image)));
                    }
                    if (PathPoints.BoxAt(hit.Path, t) is { } box)
                        Video.Annotator.Label(image, Pixels(box, image),
                            $"{TrackIndex.CategoryName(hit.Facts.Category)} {recording.StartClock.AddSeconds(t):HH:mm:ss}", new Scalar(0, 200, 255));
                    writer ??= new FfmpegVideoWriter(outputPath, image.Width, image.Height, fps);
                    writer.Write(image);
                }
        }
        finally
        {
            writer?.Dispose();
        }
        if (writer is null) throw new VideoSourceException($"{recording.Path}: no frame between {from:0.0} s and {to:0.0} s");
    }

    public static Box Pixels(Box normalised, Mat image) => normalised.Scale(image.Width, image.Height);
}
