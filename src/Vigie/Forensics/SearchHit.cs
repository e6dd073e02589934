namespace Vigie.Forensics;

/// <summary>One search result as JSON, for scripts and the console; the thumbnail as a path or a link.</summary>
public sealed record SearchHit(long Id, string Class, string Camera, DateTimeOffset Start, DateTimeOffset End, double DurationS,
    IReadOnlyList<ZoneVisit> Zones, IReadOnlyList<LineCrossing> Lines, string Heading, double? HeadingDeg, double Speed, string SpeedUnit,
    double Size, string? Colour, string Recording, double OffsetS, string? Thumbnail)
{
    public static SearchHit From(IndexedTrack h, string? thumbnail) =>
        new(h.Id, TrackIndex.CategoryName(h.Facts.Category), h.Recording.Camera, h.StartClock, h.EndClock, Math.Round(h.Facts.EndS - h.Facts.StartS, 2),
            h.Facts.Zones, h.Facts.Lines, h.Facts.Heading, h.Facts.HeadingDeg, h.Facts.Speed, h.Facts.SpeedUnit, Math.Round(h.Facts.Size, 3), h.Colour,
            h.Recording.Path, Math.Round(h.Facts.StartS, 2), thumbnail);
}
