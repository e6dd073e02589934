using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Video;

/// <summary>
/// A dark upright figure walking in a straight line at constant speed, in pixels; optionally changing
/// to another velocity at <see cref="ChangeAt"/> (starting to run, turning back).
/// </summary>
public sealed record Walker(TimeSpan Appears, Point2 Start, Point2 VelocityPerSecond, int Width = 28, int Height = 80)
{
    public TimeSpan? ChangeAt { get; init; }
    public Point2 VelocityAfter { get; init; }

    /// <summary>Where the feet are at a time after appearing.</summary>
    public Point2 FeetAt(TimeSpan t)
    {
        var walked = (float)((ChangeAt is { } c && t > c ? c : t) - Appears).TotalSeconds;
        var feet = Start + VelocityPerSecond * walked;
        return ChangeAt is { } change && t > change ? feet + VelocityAfter * (float)(t - change).TotalSeconds : feet;
    }
}

/// <summary>A box-like object (a parcel) lying on the ground from <see cref="Placed"/> until <see cref="Taken"/>, in pixels.</summary>
public sealed record LeftObject(Box Box, TimeSpan Placed, TimeSpan? Taken = null)
{
    public bool IsThere(TimeSpan t) => t >= Placed && (Taken is not { } taken || t < taken);
}

/// <summary>
/// Generates footage with exact ground truth: figures walking over a textured static background with
/// sensor noise, and objects left on the ground. Used by the quick start when no real clip is
/// available, and by tests.
/// </summary>
public sealed record SyntheticScene(int Width, int Height, double Fps, TimeSpan Length, IReadOnlyList<Walker> Walkers)
{
    public IReadOnlyList<LeftObject> Objects { get; init; } = [];

    public static SyntheticScene Default => new(640, 360, 25, TimeSpan.FromSeconds(14),
    [
        new Walker(TimeSpan.FromSeconds(1), new Point2(-30, 300), new Point2(90, 0)),
        new Walker(TimeSpan.FromSeconds(4), new Point2(660, 200), new Point2(-70, 0)),
    ]);

    /// <summary>The walker's box at a time, or null when it has not appeared yet.</summary>
    public static Box? BoxAt(Walker w, TimeSpan t)
    {
        if (t < w.Appears) return null;
        var foot = w.FeetAt(t);
        return new Box(foot.X - w.Width / 2f, foot.Y - w.Height, w.Width, w.Height);
    }

    /// <summary>First time the walker's feet are inside a polygon given in normalised coordinates.</summary>
    public TimeSpan? FirstEntry(Walker w, IReadOnlyList<Point2> normalisedPolygon)
    {
        for (var t = w.Appears; t <= Length; t += TimeSpan.FromSeconds(1 / Fps))
            if (BoxAt(w, t) is { } b && Shapes.Contains(normalisedPolygon, new Point2(b.BottomCenter.X / Width, b.BottomCenter.Y / Height)))
                return t;
        return null;
    }

    public void Render(int index, Mat canvas, Mat background)
    {
        background.CopyTo(canvas);
        var t = TimeSpan.FromSeconds(index / Fps);
        foreach (var o in Objects.Where(o => o.IsThere(t)))
        {
            var r = new Rect((int)o.Box.X, (int)o.Box.Y, (int)o.Box.Width, (int)o.Box.Height);
            Cv2.Rectangle(canvas, r, new Scalar(40, 90, 140), -1);
            Cv2.Rectangle(canvas, r, new Scalar(20, 45, 70), 2);
        }
        foreach (var w in Walkers)
        {
            if (BoxAt(w, t) is not { } b) continue;
            var body = new Rect((int)b.X, (int)(b.Y + b.Height * 0.18f), (int)b.Width, (int)(b.Height * 0.82f));
            Cv2.Rectangle(canvas, body, new Scalar(40, 30, 60), -1);
            Cv2.Circle(canvas, new Point((int)b.Center.X, (int)(b.Y + b.Height * 0.1f)), (int)(b.Width * 0.35f), new Scalar(60, 80, 120), -1);
        }
        using var n = new Mat(canvas.Size(), MatType.CV_8UC3);
        // Seeded by the frame, not OpenCV's per-thread generator: the same scene is the same footage on any thread.
        var grain = new RNG((ulong)index + 1);
        grain.Fill(n, DistributionType.Uniform, InputArray.Create(Scalar.All(0)), InputArray.Create(Scalar.All(6)));
        Cv2.Add(canvas, n, canvas);
    }

    public Mat Background()
    {
        var bg = new Mat(Height, Width, MatType.CV_8UC3, new Scalar(150, 160, 165));
        var rng = new Random(7);
        for (int i = 0; i < 60; i++)
        {
            var p = new Point(rng.Next(Width), rng.Next(Height));
            var grey = rng.Next(110, 200);
            Cv2.Rectangle(bg, new Rect(p.X, p.Y, rng.Next(10, 60), rng.Next(4, 20)), Scalar.All(grey), -1);
        }
        return bg;
    }

    /// <summary>Encodes the scene to a video file (H.264 through ffmpeg).</summary>
    public void WriteVideo(string path)
    {
        using var writer = new FfmpegVideoWriter(path, Width, Height, Fps);
        using var bg = Background();
        using var canvas = new Mat();
        var frames = (int)Math.Round(Length.TotalSeconds * Fps);
        for (int i = 0; i < frames; i++)
        {
            Render(i, canvas, bg);
            writer.Write(canvas);
        }
    }
}
