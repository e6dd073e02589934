using OpenCvSharp;
using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Pipeline;
using Vigie.Tracking;
using Vigie.Video;

namespace Vigie.Forensics;

/// <summary>
/// Listens to the pipeline on one piece of a recording and keeps what the index needs: every track's
/// full path (the tracker only keeps recent history), one thumbnail per track taken when it looked
/// largest, with people pixelated, the dominant colour of vehicles and objects, closed events, and a
/// few frames (people pixelated) from which the scene's empty background is made.
/// </summary>
public sealed class PieceRecorder(IndexPiece piece, string indexFolder, string thumbnailPrefix, PrivacyFilter privacy,
    Action<TimeSpan>? progress = null) : IAnalysisObserver, IDisposable
{
    public const string ThumbnailFolder = "thumbs";
    private const int MinObservations = 3;
    private const int BackgroundSampleCount = 12;
    private readonly Dictionary<int, Builder> _tracks = [];
    private readonly List<IndexedPath> _finished = [];
    private readonly List<SceneEvent> _events = [];
    private readonly List<Mat> _background = [];
    private TimeSpan _nextSample = piece.DecodeFrom;
    private readonly TimeSpan _sampleEvery = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, (piece.To - piece.DecodeFrom).Ticks / BackgroundSampleCount));

    private sealed class Builder(Category category, string label)
    {
        public Category Category { get; } = category;
        public string Label { get; } = label;
        public List<PathPoint> Points { get; } = [];
        public float BestArea { get; set; }
        public TimeSpan? BestAt { get; set; }
        public Mat? Thumbnail { get; set; }
        public Box Crop { get; set; }
        public IReadOnlyList<Box> Things { get; set; } = [];
        public string? Colour { get; set; }
    }

    public IReadOnlyList<Mat> BackgroundSamples => _background;

    public void OnFrameAnalysed(AnalysedFrame frame)
    {
        var image = frame.Frame.Image;
        var t = frame.Frame.Timestamp;
        progress?.Invoke(t);
        // Needed only when a thumbnail or a background sample is taken, a few frames in many.
        List<Box>? people = null;
        List<Box> People() => people ??= PrivacyFilter.PeopleOn(frame.Tracks, frame.Detections).ToList();
        foreach (var track in frame.Tracks.Visible)
        {
            if (!_tracks.TryGetValue(track.Id, out var b)) _tracks[track.Id] = b = new Builder(track.Category, track.Label);
            b.Points.Add(new PathPoint(t.TotalSeconds, Normalise(track.Box, image)));
            // A new thumbnail when the object looks clearly larger, at most twice a second.
            if (track.Box.Area > 1.3f * b.BestArea && (b.BestAt is not { } last || t - last >= TimeSpan.FromSeconds(0.5)))
            {
                b.BestArea = track.Box.Area;
                b.BestAt = t;
                b.Thumbnail?.Dispose();
                (b.Thumbnail, b.Crop) = Thumbnail(image, track.Box, People());
                b.Things = ThingsIn(b.Crop, PrivacyFilter.Things(frame.Tracks));
                if (!PrivacyFilter.HidesCategory(track.Category)) b.Colour = DominantColour.Of(image, track.Box);
            }
        }
        if (t >= _nextSample && _background.Count <= BackgroundSampleCount)
        {
            var sample = image.Clone();
            foreach (var person in People()) PrivacyFilter.Pixelate(sample, person);
            _background.Add(sample);
            _nextSample = t + _sampleEvery;
        }
    }

    public void OnEvent(EventChange change)
    {
        if (change.Closed) _events.Add(change.Event);
    }

    public void OnTrackEnded(Track track)
    {
        if (!_tracks.Remove(track.Id, out var b)) return;
        using var thumbnail = b.Thumbnail;
        if (b.Points.Count < MinObservations) return;
        Thumbnail? shot = null;
        if (thumbnail is not null)
        {
            var file = Path.Combine(ThumbnailFolder, $"{thumbnailPrefix}-{piece.Recording}-{piece.Part}-{track.Id}.jpg");
            ThumbnailPrivacy.Write(Path.Combine(indexFolder, file), thumbnail);
            shot = new Thumbnail(file, b.Crop, b.Things);
        }
        _finished.Add(new IndexedPath(new TrackPath(b.Category, b.Label, b.Points), shot, b.Colour));
    }

    public PieceResult Result() => new(piece, _finished, _events);

    /// <summary>The object with some context around it, and where it was cut; every person in that crop pixelated, faces too.</summary>
    private (Mat Image, Box Crop) Thumbnail(Mat image, Box box, IReadOnlyList<Box> people)
    {
        var area = box.Grown(0.25f).ClampTo(image.Width, image.Height);
        var rect = new Rect((int)area.X, (int)area.Y, Math.Max(2, (int)area.Width), Math.Max(2, (int)area.Height))
            .Intersect(new Rect(0, 0, image.Width, image.Height));
        using var roi = new Mat(image, rect);
        var crop = roi.Clone();
        privacy.Apply(crop, people.Select(p => new Box(p.X - rect.X, p.Y - rect.Y, p.Width, p.Height)));
        return (crop, new Box(rect.X, rect.Y, rect.Width, rect.Height));
    }

    /// <summary>The vehicles and objects seen in a thumbnail's crop, in the thumbnail's pixels.</summary>
    private static List<Box> ThingsIn(Box crop, IEnumerable<Track> things) =>
        things.Where(t => t.Box.IntersectionArea(crop) > 0)
            .Select(t => new Box(t.Box.X - crop.X, t.Box.Y - crop.Y, t.Box.Width, t.Box.Height)).ToList();

    private static Box Normalise(Box b, Mat image) =>
        new(b.X / image.Width, b.Y / image.Height, b.Width / image.Width, b.Height / image.Height);

    public void Dispose()
    {
        foreach (var b in _tracks.Values) b.Thumbnail?.Dispose();
        foreach (var m in _background) m.Dispose();
    }
}
