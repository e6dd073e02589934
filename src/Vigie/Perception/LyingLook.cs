using OpenCvSharp;
using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>
/// Where to look for someone lying: a square <paramref name="Around"/> where they stood and were last seen, the box they
/// were <paramref name="LastSeen"/> in, and how tall they stood (frame pixels).
/// </summary>
public readonly record struct LyingSpot(Box Around, Box LastSeen, float StandingHeight);

/// <summary>
/// A second look for someone lying on the ground, at the spots a rule asks for (where someone fell or is going down).
/// COCO detectors learnt people mostly upright: lying across the picture, a person is often missed, found as a piece
/// (a squat box on the legs) or scored too low to count. Turned a quarter, a lying body stands upright: the spot is cut
/// out and shown to the detector turned each way (the head may lie on either side), and a person found standing in the
/// turned picture, so lying in the frame, is added to the frame's detections in place of the pieces of them the first
/// look found. On a fall filmed small, YOLOX-Nano scored the lying man 0.2 or missed him; turned, 0.85.
/// Only the person's box is used, as the first look's: nothing about who they are.
/// </summary>
public sealed class LyingLook(IDetector detector, float minScore) : IDisposable
{
    private static readonly RotateFlags[] Turns = [RotateFlags.Rotate90Clockwise, RotateFlags.Rotate90Counterclockwise];
    // A spot narrower than this (pixels) holds too little of a person to look at.
    private const int MinSide = 24;
    // A first-look person overlapping the lying one this much is the same person seen whole; this much of their box
    // inside the lying one, a piece of them (see PieceOf).
    private const float SamePerson = 0.5f, PieceInside = 0.6f;
    // Lying, a person is at most about as long as they stood tall (seen from the side; foreshortened, shorter): with the
    // slack of a box, a longer one is someone else, or several people.
    private const float LongestLying = 1.5f;
    // The lying person must cover this share of the box they were last seen in (or it of theirs): found beside it, it is
    // someone else (in a crowd, turned, people show as bodies on their side too).
    private const float Overlapping = 0.2f;

    /// <summary>The detections with, at each spot, the best lying person the turned looks find there.</summary>
    public IReadOnlyList<Detection> Add(Mat frame, IReadOnlyList<Detection> detections, IReadOnlyList<LyingSpot> spots)
    {
        if (spots.Count == 0) return detections;
        var merged = detections.ToList();
        foreach (var spot in spots)
            if (Find(frame, spot) is { } lying) Merge(merged, lying);
        return merged;
    }

    /// <summary>
    /// The most likely person lying at a spot, at least <c>minScore</c>, and who can be the one looked for: overlapping the
    /// box they were last seen in, no longer than they stood tall. Null when none is.
    /// </summary>
    public Detection? Find(Mat frame, LyingSpot spot)
    {
        var area = spot.Around.ClampTo(frame.Width, frame.Height);
        var rect = new Rect((int)area.X, (int)area.Y, (int)area.Width, (int)area.Height);
        if (rect.Width < MinSide || rect.Height < MinSide) return null;
        using var crop = new Mat(frame, rect);
        using var turned = new Mat();
        Detection? best = null;
        foreach (var turn in Turns)
        {
            Cv2.Rotate(crop, turned, turn);
            foreach (var d in detector.Detect(turned))
            {
                if (d.Category != Category.Person || d.Score < minScore || d.Box.Height < d.Box.Width || d.Score <= (best?.Score ?? 0)) continue;
                var box = TurnBack(d.Box, turn, rect);
                if (box.OverlapOfSmaller(spot.LastSeen) >= Overlapping && box.Width <= LongestLying * spot.StandingHeight)
                    best = d with { Box = box };
            }
        }
        return best;
    }

    /// <summary>A box found in the crop <paramref name="rect"/> turned by <paramref name="turn"/>, in frame pixels. Pure.</summary>
    public static Box TurnBack(Box found, RotateFlags turn, Rect rect) => turn switch
    {
        // Turned clockwise, the crop's (x, y) is at (height − y, x); anticlockwise, at (y, width − x).
        RotateFlags.Rotate90Clockwise => new Box(rect.X + found.Y, rect.Y + rect.Height - found.Right, found.Height, found.Width),
        RotateFlags.Rotate90Counterclockwise => new Box(rect.X + rect.Width - found.Bottom, rect.Y + found.X, found.Height, found.Width),
        _ => throw new ArgumentOutOfRangeException(nameof(turn), turn, "only quarter turns are looked at"),
    };

    /// <summary>
    /// Adds the lying person to the detections, dropping the people the first look found that are the same person or a
    /// piece of them; unless the first look already found them whole and as sure. Pure on the list.
    /// </summary>
    public static void Merge(List<Detection> detections, Detection lying)
    {
        var same = detections.Where(d => d.Category == Category.Person
            && (d.Box.IoU(lying.Box) >= SamePerson || PieceOf(d.Box, lying.Box))).ToList();
        if (same.Any(d => d.Score >= lying.Score && d.Box.IoU(lying.Box) >= SamePerson)) return;
        foreach (var d in same) detections.Remove(d);
        detections.Add(lying);
    }

    /// <summary>A person's box lying mostly inside a lying person's box: a piece of that person (the legs, the upper body). Pure.</summary>
    public static bool PieceOf(Box box, Box lying) => box.IntersectionArea(lying) >= PieceInside * box.Area;

    public void Dispose() => detector.Dispose();
}
