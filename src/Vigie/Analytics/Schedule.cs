namespace Vigie.Analytics;

/// <summary>A weekly time window; one that ends before it starts runs past midnight.</summary>
public sealed record ScheduleWindow(IReadOnlySet<DayOfWeek> Days, TimeSpan From, TimeSpan To)
{
    public bool Contains(DateTime local)
    {
        var tod = local.TimeOfDay;
        bool On(DayOfWeek d) => Days.Count == 0 || Days.Contains(d);
        if (From == To) return On(local.DayOfWeek);
        if (From < To) return On(local.DayOfWeek) && tod >= From && tod < To;
        return (On(local.DayOfWeek) && tod >= From) || (On(local.AddDays(-1).DayOfWeek) && tod < To);
    }
}

/// <summary>When a zone or line is watched. No window means always.</summary>
public sealed record Schedule(IReadOnlyList<ScheduleWindow> Windows, TimeZoneInfo TimeZone)
{
    public static readonly Schedule Always = new([], TimeZoneInfo.Utc);

    public bool IsActive(DateTimeOffset clock)
    {
        if (Windows.Count == 0) return true;
        var local = TimeZoneInfo.ConvertTime(clock, TimeZone).DateTime;
        return Windows.Any(w => w.Contains(local));
    }
}
