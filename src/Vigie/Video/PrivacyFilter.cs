using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tracking;

namespace Vigie.Video;

/// <summary>
/// Makes a frame fit to leave the system: every person (and every moving blob, which may be one) is
/// pixelated, and so is every face the face detector finds, which also covers people the object
/// detector missed. Faces are enlarged before pixelation so hair line and chin go too.
/// </summary>
public sealed class PrivacyFilter(FaceDetector? faces)
{
    /// <summary>Pixelates people only; for outputs made without a face model.</summary>
    public static readonly PrivacyFilter PeopleOnly = new(null);

    public bool DetectsFaces => faces is not null;

    /// <param name="people">Boxes of people and moving objects, in pixels of <paramref name="image"/>.</param>
    /// <param name="facesFound">The faces found on this picture before anything was hidden (<see cref="Faces"/>); found here when null.</param>
    public void Apply(Mat image, IEnumerable<Box> people, IReadOnlyList<Box>? facesFound = null)
    {
        foreach (var box in people) Pixelate(image, box);
        foreach (var face in facesFound ?? Faces(image)) Pixelate(image, face.Grown(0.25f));
    }

    /// <summary>The faces on a picture, none without a face model.</summary>
    public IReadOnlyList<Box> Faces(Mat image) => faces?.Detect(image) ?? [];

    /// <summary>Coarse mosaic over a box: unrecoverable, unlike a light blur.</summary>
    public static void Pixelate(Mat image, Box box)
    {
        var b = box.ClampTo(image.Width, image.Height);
        var r = new Rect((int)b.X, (int)b.Y, (int)Math.Ceiling(b.Width), (int)Math.Ceiling(b.Height));
        r = r.Intersect(new Rect(0, 0, image.Width, image.Height));
        if (r.Width < 2 || r.Height < 2) return;
        using var roi = new Mat(image, r);
        var cells = new Size(Math.Max(1, r.Width / 12), Math.Max(1, r.Height / 12));
        using var small = new Mat();
        Cv2.Resize(roi, small, cells, 0, 0, InterpolationFlags.Area);
        Cv2.Resize(small, roi, r.Size, 0, 0, InterpolationFlags.Nearest);
    }

    public static bool HidesCategory(Category category) => category is Category.Person or Category.Moving;

    /// <summary>
    /// Everyone to hide on an analysed frame: people tracked, people detected but not tracked yet (track id
    /// -1), and people missed on this frame while the tracker still remembers them (see <see cref="Remembered"/>).
    /// </summary>
    public static IEnumerable<HiddenPerson> People(TrackerUpdate tracks, IEnumerable<Detection> detections) =>
        tracks.Visible.Where(t => HidesCategory(t.Category)).Select(t => new HiddenPerson(t.Id, t.Category, t.Box))
            .Concat(detections.Where(d => HidesCategory(d.Category)).Select(d => new HiddenPerson(-1, d.Category, d.Box)))
            .Concat(tracks.Lost.Where(t => HidesCategory(t.Category)).Select(t => new HiddenPerson(t.Id, t.Category, Remembered(t.Box))));

    /// <summary>The vehicles and objects in view: what the privacy safety net leaves visible.</summary>
    public static IEnumerable<Track> Things(TrackerUpdate tracks) => tracks.Visible.Where(t => !HidesCategory(t.Category));

    /// <summary>The boxes of <see cref="People"/>.</summary>
    public static IEnumerable<Box> PeopleOn(TrackerUpdate tracks, IEnumerable<Detection> detections) =>
        People(tracks, detections).Select(p => p.Box);

    /// <summary>
    /// Where to hide a person the tracker still remembers but the detector missed on this frame (someone lying
    /// after a fall often is, and is then the subject of the alert): their last box, grown by a quarter each way
    /// since they may have moved, until the tracker lets them go.
    /// </summary>
    public static Box Remembered(Box lastSeen) =>
        lastSeen.Grown(0.25f);
}

/// <summary>Someone to pixelate on a frame, with the track they belong to (-1 when detected but not tracked).</summary>
public readonly record struct HiddenPerson(int TrackId, Category Category, Box Box);
