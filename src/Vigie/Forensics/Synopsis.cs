using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Video;

namespace Vigie.Forensics;

public sealed record SynopsisRequest(TrackQuery Query, SynopsisTarget Target, string OutputPath, PrivacyFilter Privacy)
{
    public double Fps { get; init; } = 10;
    /// <summary>An object shown longer than this is cut: a car parked for hours would otherwise fill the synopsis.</summary>
    public TimeSpan MaxObjectTime { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan MinObjectTime { get; init; } = TimeSpan.FromSeconds(1);
}

/// <param name="SourceS">Length of the footage the synopsis stands for (the recordings, within the query's time window).</param>
public sealed record SynopsisReport(string Camera, int Objects, double SourceS, double SynopsisS, double OverlapFraction, int CollidingPairs,
    IReadOnlyList<SynopsisObject> Placed)
{
    public double Condensation => SynopsisS > 0 ? SourceS / SynopsisS : 0;
}

public sealed record SynopsisObject(long TrackId, string Class, DateTimeOffset Clock, double SourceOffsetS, double ShownAtS);

/// <summary>
/// `vigie synopsis`: the objects of hours of footage playing at the same time over the empty scene,
/// each labelled with its clock time. Pixels of each object are cut from its recording (only the
/// stretches needed are decoded); people are pixelated whole, whatever the filters.
/// </summary>
public static class Synopsis
{
    private sealed record Cutout(double T, Box Box, byte[] Jpeg);

    /// <summary>
    /// The tracks a synopsis of this request would show; a <see cref="FormatException"/> naming what to
    /// change when there are none or they come from several cameras, or from recordings of different
    /// picture sizes (another camera filed under the same name: its objects would be stretched onto the
    /// first one's scene). Quick: no video is read.
    /// </summary>
    public static IReadOnlyList<IndexedTrack> Select(TrackIndex index, SynopsisRequest request)
    {
        var hits = index.Search(request.Query with { Limit = 10000 })
            .Where(h => h.Facts.EndS - h.Facts.StartS >= request.MinObjectTime.TotalSeconds).ToList();
        var cameras = hits.Select(h => h.Recording.Camera).Distinct().ToList();
        if (cameras.Count > 1)
            throw new FormatException($"camera: the results come from {cameras.Count} cameras ({string.Join(", ", cameras)}); a synopsis shows one scene: choose one");
        if (hits.Count == 0) throw new FormatException("nothing in the index matches these filters: no synopsis to make");
        var sizes = hits.Select(h => h.Recording).DistinctBy(r => r.Id).GroupBy(r => (r.Width, r.Height)).ToList();
        if (sizes.Count > 1)
            throw new FormatException($"the results come from recordings of {sizes.Count} picture sizes ("
                + string.Join(", ", sizes.Select(s => $"{s.Key.Width}×{s.Key.Height}: {System.IO.Path.GetFileName(s.First().Path)}{(s.Count() > 1 ? $" and {s.Count() - 1} more" : "")}"))
                + "); a synopsis shows one scene: narrow the time range to one of them, or index each view into its own index (--out)");
        return hits;
    }

    /// <param name="progress">Video time gone through (the stretches of recordings decoded, then the synopsis written) out of the total.</param>
    public static async Task<SynopsisReport> RenderAsync(TrackIndex index, SynopsisRequest request, Action<string>? say,
        Action<VideoProgress>? progress, CancellationToken ct, IReadOnlyList<IndexedTrack>? selected = null)
    {
        var hits = selected ?? Select(index, request);
        var recordings = hits.Select(h => h.Recording).DistinctBy(r => r.Id).ToList();
        var main = recordings.MaxBy(r => hits.Count(h => h.Recording.Id == r.Id))!;
        if (main.Background is null) throw new InvalidDataException($"{index.Folder}: the index holds no background for {main.Path}");
        using var background = Cv2.ImRead(Path.Combine(index.Folder, main.Background));
        if (background.Empty()) throw new InvalidDataException($"{index.Folder}: cannot read {main.Background}");

        var tubes = hits.Select(h => new Tube(h.Id, h.Path, h.Facts.StartS, Math.Min(h.Facts.EndS, h.Facts.StartS + request.MaxObjectTime.TotalSeconds))).ToList();
        var plan = SynopsisPlanner.Plan(tubes, request.Target);
        say?.Invoke($"{tubes.Count} objects placed in {plan.LengthS:0.0} s; cutting them out of {recordings.Count} recording(s)");

        var byId = hits.ToDictionary(h => h.Id);
        var tubesOf = recordings.ToDictionary(r => r.Id, r => tubes.Where(t => byId[t.TrackId].Recording.Id == r.Id).ToList());
        var total = TimeSpan.FromSeconds(tubesOf.Values.Sum(t => Stretches(t).Sum(s => s.To - s.From)) + plan.LengthS);
        var done = TimeSpan.Zero;
        void Advance(TimeSpan step)
        {
            done += step;
            progress?.Invoke(new VideoProgress(done < total ? done : total, total));
        }
        var cutouts = new Dictionary<long, List<Cutout>>();
        foreach (var recording in recordings)
            await CutOutAsync(index, recording, tubesOf[recording.Id], background.Size(), request, cutouts, Advance, ct);

        var people = hits.Where(h => PrivacyFilter.HidesCategory(h.Facts.Category)).Select(h => h.Id).ToHashSet();
        var frames = (int)Math.Ceiling(plan.LengthS * request.Fps) + 1;
        using (var writer = new FfmpegVideoWriter(request.OutputPath, background.Width, background.Height, request.Fps))
        using (var canvas = new Mat())
        {
            for (int k = 0; k < frames; k++)
            {
                ct.ThrowIfCancellationRequested();
                background.CopyTo(canvas);
                var tau = k / request.Fps;
                var labels = new List<(Box Box, string Text)>();
                var hide = new List<Box>();
                foreach (var p in plan.Placements.Where(p => tau >= p.AtS && tau <= p.AtS + p.Tube.Length))
                {
                    if (!cutouts.TryGetValue(p.Tube.TrackId, out var list) || list.Count == 0) continue;
                    var t = p.Tube.FromS + tau - p.AtS;
                    var cut = Nearest(list, t);
                    Paste(canvas, background, cut);
                    var hit = byId[p.Tube.TrackId];
                    if (people.Contains(hit.Id)) hide.Add(cut.Box);
                    labels.Add((cut.Box, $"{hit.Recording.StartClock.AddSeconds(t):HH:mm:ss}"));
                }
                request.Privacy.Apply(canvas, hide);
                foreach (var (box, text) in labels) Video.Annotator.Label(canvas, box, text, new Scalar(0, 220, 255));
                writer.Write(canvas);
                Advance(TimeSpan.FromSeconds(1 / request.Fps));
            }
        }

        var source = recordings.Sum(r => Within(r, request.Query));
        return new SynopsisReport(hits[0].Recording.Camera, plan.Placements.Count, source, plan.LengthS, plan.OverlapFraction, plan.CollidingPairs,
            plan.Placements.Select(p => new SynopsisObject(p.Tube.TrackId, TrackIndex.CategoryName(byId[p.Tube.TrackId].Facts.Category),
                byId[p.Tube.TrackId].StartClock, p.Tube.FromS, p.AtS)).ToList());
    }

    /// <summary>Decodes only the stretches of a recording where chosen objects are, and keeps each object's pixels (JPEG in memory).</summary>
    private static async Task CutOutAsync(TrackIndex index, IndexedRecording recording, IReadOnlyList<Tube> tubes, Size size, SynopsisRequest request,
        Dictionary<long, List<Cutout>> cutouts, Action<TimeSpan> decoded, CancellationToken ct)
    {
        var others = index.Search(new TrackQuery { Camera = recording.Camera, Limit = 10000 })
            .Where(h => h.Recording.Id == recording.Id && PrivacyFilter.HidesCategory(h.Facts.Category)).ToList();
        foreach (var (from, to) in Stretches(tubes))
        {
            var reached = from;
            await using var source = await FfmpegSource.OpenAsync(recording.Path,
                new DecodeOptions(request.Fps, size.Width, 2) { Excerpt = (TimeSpan.FromSeconds(from), TimeSpan.FromSeconds(to - from)) }, ct);
            await foreach (var frame in source.ReadFramesAsync(ct))
                using (frame)
                {
                    var image = frame.Image;
                    var t = frame.Timestamp.TotalSeconds;
                    if (t > reached)
                    {
                        decoded(TimeSpan.FromSeconds(Math.Min(t, to) - reached));
                        reached = Math.Min(t, to);
                    }
                    if (image.Size() != size) continue;
                    // People near an object are pixelated before its pixels are taken.
                    foreach (var person in others)
                        if (PathPoints.BoxAt(person.Path, t) is { } pb) PrivacyFilter.Pixelate(image, Excerpts.Pixels(pb, image));
                    foreach (var tube in tubes.Where(u => t >= u.FromS - 0.1 && t <= u.ToS + 0.1))
                    {
                        if (PathPoints.BoxAt(tube.Path, Math.Clamp(t, tube.FromS, tube.ToS)) is not { } nb) continue;
                        var b = Excerpts.Pixels(nb, image);
                        b = new Box(b.X - b.Width * 0.1f, b.Y - b.Height * 0.1f, b.Width * 1.2f, b.Height * 1.2f).ClampTo(image.Width, image.Height);
                        var rect = new Rect((int)b.X, (int)b.Y, (int)b.Width, (int)b.Height);
                        if (rect.Width < 2 || rect.Height < 2) continue;
                        using var roi = new Mat(image, rect);
                        Cv2.ImEncode(".jpg", roi, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
                        if (!cutouts.TryGetValue(tube.TrackId, out var list)) cutouts[tube.TrackId] = list = [];
                        list.Add(new Cutout(t, new Box(rect.X, rect.Y, rect.Width, rect.Height), jpeg));
                    }
                }
            decoded(TimeSpan.FromSeconds(to - reached));
        }
    }

    /// <summary>Time stretches covering all tubes, merged when close, so each is decoded once.</summary>
    public static IReadOnlyList<(double From, double To)> Stretches(IEnumerable<Tube> tubes)
    {
        var merged = new List<(double From, double To)>();
        foreach (var t in tubes.OrderBy(t => t.FromS))
        {
            var (from, to) = (Math.Max(0, t.FromS - 0.2), t.ToS + 0.2);
            if (merged.Count > 0 && from <= merged[^1].To + 3) merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, to));
            else merged.Add((from, to));
        }
        return merged;
    }

    private static Cutout Nearest(List<Cutout> list, double t)
    {
        int lo = 0, hi = list.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (list[mid].T < t) lo = mid + 1; else hi = mid;
        }
        return lo > 0 && Math.Abs(list[lo - 1].T - t) < Math.Abs(list[lo].T - t) ? list[lo - 1] : list[lo];
    }

    /// <summary>Pastes an object's pixels where they differ from the empty scene, with soft edges, so overlapping objects stay readable.</summary>
    private static void Paste(Mat canvas, Mat background, Cutout cut)
    {
        using var pixels = Cv2.ImDecode(cut.Jpeg, ImreadModes.Color);
        var rect = new Rect((int)cut.Box.X, (int)cut.Box.Y, pixels.Width, pixels.Height).Intersect(new Rect(0, 0, canvas.Width, canvas.Height));
        if (rect.Width < 2 || rect.Height < 2) return;
        using var source = new Mat(pixels, new Rect(0, 0, rect.Width, rect.Height));
        using var scene = new Mat(background, rect);
        using var difference = new Mat();
        Cv2.Absdiff(source, scene, difference);
        using var mask = new Mat();
        Cv2.CvtColor(difference, mask, ColorConversionCodes.BGR2GRAY);
        Cv2.Threshold(mask, mask, 20, 255, ThresholdTypes.Binary);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(7, 7));
        Cv2.MorphologyEx(mask, mask, MorphTypes.Close, kernel, iterations: 2);
        Cv2.Dilate(mask, mask, kernel);
        Cv2.GaussianBlur(mask, mask, new Size(9, 9), 0);
        using var target = new Mat(canvas, rect);
        using var alpha = new Mat();
        mask.ConvertTo(alpha, MatType.CV_32F, 1 / 255.0);
        using var alpha3 = new Mat();
        Cv2.Merge([alpha, alpha, alpha], alpha3);
        using var src = new Mat();
        using var dst = new Mat();
        source.ConvertTo(src, MatType.CV_32FC3);
        target.ConvertTo(dst, MatType.CV_32FC3);
        using var one = new Mat(alpha3.Size(), MatType.CV_32FC3, Scalar.All(1));
        using var inverse = new Mat();
        Cv2.Subtract(one, alpha3, inverse);
        using var a = new Mat();
        using var b = new Mat();
        Cv2.Multiply(src, alpha3, a);
        Cv2.Multiply(dst, inverse, b);
        using var sum = new Mat();
        Cv2.Add(a, b, sum);
        sum.ConvertTo(target, MatType.CV_8UC3);
    }

    /// <summary>Seconds of a recording inside the query's time window.</summary>
    private static double Within(IndexedRecording r, TrackQuery q)
    {
        var start = r.StartClock;
        var end = r.StartClock + TimeSpan.FromSeconds(r.DurationS);
        if (q.From is { } f && f > start) start = f;
        if (q.To is { } t && t < end) end = t;
        return Math.Max(0, (end - start).TotalSeconds);
    }
}
