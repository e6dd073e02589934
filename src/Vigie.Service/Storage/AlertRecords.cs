namespace Vigie.Service.Storage;

/// <summary>An alert as the rule raised it, before it is stored.</summary>
public sealed record NewAlert(
    string Camera,
    string Kind,
    string Zone,
    DateTimeOffset Started,
    DateTimeOffset Raised,
    double Score,
    IReadOnlyList<double> Box,
    IReadOnlyList<int> TrackIds,
    string Detail);

/// <summary>A stored alert with its evidence and the latest review decision.</summary>
public sealed record AlertRecord(
    long Id,
    string Camera,
    string Kind,
    string Zone,
    DateTimeOffset Started,
    DateTimeOffset Raised,
    DateTimeOffset? Ended,
    double Score,
    IReadOnlyList<double> Box,
    IReadOnlyList<int> TrackIds,
    string Detail,
    string? Snapshot,
    string? Clip,
    string Status,
    string? ReviewedBy,
    DateTimeOffset? ReviewedAt,
    string? ReviewReason,
    string? ReviewNote);

/// <summary>One human decision on an alert; all decisions are kept, the alert shows the latest.</summary>
public sealed record ReviewRecord(long Id, long AlertId, string Decision, string? Reason, string? Note, string Reviewer, DateTimeOffset DecidedAt);

/// <summary>Alert search; every filter is optional. <paramref name="Before"/>: only alerts listed after that one (older), to read on.</summary>
public sealed record AlertQuery(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Camera = null,
    string? Kind = null,
    string? Status = null,
    int Limit = 100,
    long? Before = null);

public static class ReviewStatus
{
    public const string New = "new";
    public const string Confirmed = "confirmed";
    public const string Dismissed = "dismissed";
}

/// <summary>Why operators dismiss alerts: a fixed list, so that false alarms can be counted per cause.</summary>
public static class DismissReasons
{
    public static readonly IReadOnlyList<string> All =
    [
        "nothing_there",          // no event at all: shadow, reflection, noise
        "wrong_use_case",         // something happened, but not this use case
        "authorised_activity",    // staff, maintenance, cleaning, police
        "animal",
        "vehicle_or_object",
        "weather_or_light",       // rain, snow, sun glare, headlights
        "camera_problem",         // moved, dirty, out of focus, blinded
        "duplicate",              // already reported by another alert
        "other",                  // explained in the note
    ];
}

/// <summary>How many alerts of one month, camera and use case ended with one review status (and dismissal reason, or "").</summary>
public sealed record AlertCount(string Month, string Camera, string Kind, string Status, string Reason, long Alerts)
{
    public static string MonthOf(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}
