using System.Globalization;
using System.Text.RegularExpressions;

namespace Vigie.Config;

/// <summary>
/// The site's clock. Servers often run in UTC while their cameras watch a street in Paris: schedules, the time
/// stamped on clips and clock times written without an offset are read on the site's clock (`time_zone`),
/// not the machine's, or a 22:00 schedule would start at 23:00 there in winter and at midnight in summer.
/// </summary>
public static partial class SiteTime
{
    /// <summary>An IANA time zone (Europe/Paris) known to this machine's time zone database, or null.</summary>
    public static TimeZoneInfo? Find(string id) =>
        id.Length > 0 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    /// <summary>
    /// An ISO 8601 date and time. With an offset or Z it is that instant; without (2026-11-20T14:00) it is that
    /// time on the site's clock, with the offset in force there then (summer or winter time).
    /// </summary>
    public static DateTimeOffset? Parse(string text, TimeZoneInfo zone) => Parse(text, zone.GetUtcOffset);

    /// <summary>As <see cref="Parse(string, TimeZoneInfo)"/>, a time without an offset taking <paramref name="offsetAt"/> its time.</summary>
    public static DateTimeOffset? Parse(string text, Func<DateTime, TimeSpan> offsetAt)
    {
        // A date first: .NET would take "14:00" alone as today, and "11/12" as November or December.
        if (!IsoDate().IsMatch(text)
            || !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)) return null;
        if (parsed.Kind != DateTimeKind.Unspecified)
            return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
        return new DateTimeOffset(parsed, offsetAt(parsed));
    }

    [GeneratedRegex(@"^\s*\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoDate();

    /// <summary>The instant as the site's clock shows it (its offset then).</summary>
    public static DateTimeOffset On(TimeZoneInfo zone, DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, zone);

    /// <summary>How the site's clock reads now: "Europe/Paris, UTC+01:00".</summary>
    public static string Describe(TimeZoneInfo zone, DateTimeOffset now) => $"{zone.Id}, {Offset(zone.GetUtcOffset(now))}";

    /// <summary>An offset as people read it: "UTC+01:00", "UTC-03:00".</summary>
    public static string Offset(TimeSpan offset) => $"UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset:hh\\:mm}";

    /// <summary>
    /// A warning when schedules will be read on a UTC machine's clock because no `time_zone` says the site's:
    /// the likeliest reason a schedule starts an hour or two off (a server or container left in UTC).
    /// </summary>
    public static string? UnstatedZone(SceneConfig config)
    {
        var scheduled = config.Cameras.Any(c => c.Zones.Any(z => z.Schedule.Count > 0) || c.Lines.Any(l => l.Schedule.Count > 0));
        var local = TimeZoneInfo.Local;
        return config.TimeZone is null && scheduled && local.BaseUtcOffset == TimeSpan.Zero && !local.SupportsDaylightSavingTime
            ? $"schedules are read on this machine's clock, {local.Id}, as the configuration names no time_zone: set time_zone (e.g. Europe/Paris) if the cameras are elsewhere"
            : null;
    }
}
