using Vigie.Analytics;
using Vigie.Config;

namespace Vigie.Tests.Config;

/// <summary>The site's clock (`time_zone`): schedules and clock times written without an offset are read on it.</summary>
public class SiteTimeTests
{
    private static readonly TimeZoneInfo Paris = SiteTime.Find("Europe/Paris")!;

    [Fact]
    public void A_time_without_an_offset_is_on_the_site_clock_with_its_summer_or_winter_offset()
    {
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.FromHours(1)), SiteTime.Parse("2026-11-20T14:00", Paris));
        Assert.Equal(new DateTimeOffset(2026, 7, 14, 22, 0, 0, TimeSpan.FromHours(2)), SiteTime.Parse("2026-07-14T22:00:00", Paris));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.Zero), SiteTime.Parse("2026-11-20T14:00:00Z", Paris));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.FromHours(5.5)), SiteTime.Parse("2026-11-20T14:00:00+05:30", Paris));
        Assert.Null(SiteTime.Parse("yesterday at two", Paris));
        Assert.Null(SiteTime.Parse("14:00", Paris));       // no date: not today
        Assert.Null(SiteTime.Parse("11/12/2026", Paris));  // not ISO: November or December?
        Assert.Equal("Europe/Paris, UTC+01:00", SiteTime.Describe(Paris, new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal("Europe/Paris, UTC+02:00", SiteTime.Describe(Paris, new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_night_schedule_on_the_site_clock_follows_summer_time()
    {
        var config = ConfigLoader.Parse("""
            time_zone: Europe/Paris
            cameras:
              - name: quay
                zones:
                  - name: pier
                    polygon: [[0, 0], [1, 0], [1, 1]]
                    schedule: [{ from: "22:00", to: "06:00" }]
                    use_cases: { intrusion: {} }
            """);
        var schedule = SceneCompiler.Zone(config.Cameras[0].Zones[0], config.SiteZone()).Schedule;
        DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

        Assert.True(schedule.IsActive(Utc(7, 1, 20, 30)));   // 22:30 in Paris in summer (UTC+2)
        Assert.False(schedule.IsActive(Utc(12, 1, 20, 30))); // 21:30 in Paris in winter (UTC+1)
        Assert.True(schedule.IsActive(Utc(12, 1, 21, 30)));  // 22:30 in winter
        Assert.True(schedule.IsActive(Utc(12, 2, 4, 59)));   // 05:59 in winter
        Assert.False(schedule.IsActive(Utc(7, 2, 4, 0)));    // 06:00 in summer
        // The night summer time ends (25 October 2026, 03:00 back to 02:00): still inside the window.
        Assert.True(schedule.IsActive(Utc(10, 25, 0, 30)));  // 02:30 CEST
        Assert.True(schedule.IsActive(Utc(10, 25, 1, 30)));  // 02:30 CET, the hour repeated
        Assert.False(schedule.IsActive(Utc(10, 25, 5, 30))); // 06:30 CET
    }

    [Fact]
    public void An_unknown_time_zone_and_an_unreadable_start_time_are_named()
    {
        var errors = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            time_zone: Europe/Pariss
            cameras:
              - name: quay
                start_time: "20/11/2026 14h"
            """)).Errors;
        Assert.Contains(errors, e => e.StartsWith("time_zone: 'Europe/Pariss' is not a time zone this machine knows", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].start_time: '20/11/2026 14h' is not a date and time", StringComparison.Ordinal));
    }

    [Fact]
    public void A_start_time_without_an_offset_is_on_the_site_clock()
    {
        var config = ConfigLoader.Parse("""
            time_zone: America/New_York
            cameras: [{ name: pier, start_time: "2026-11-20T09:00:00" }]
            """);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.Zero), config.Cameras[0].StartClock(config.SiteZone()));
    }

    [Fact]
    public void Unscheduled_scenes_and_scenes_naming_their_zone_raise_no_clock_warning()
    {
        const string Scheduled = """
            cameras:
              - name: quay
                lines: [{ name: l, from: [0, 0], to: [1, 1], schedule: [{ from: "22:00", to: "06:00" }] }]
            """;
        Assert.Null(SiteTime.UnstatedZone(ConfigLoader.Parse("time_zone: Europe/Paris\n" + Scheduled)));
        Assert.Null(SiteTime.UnstatedZone(ConfigLoader.Parse("cameras: [{ name: quay }]")));
        var onThisMachine = SiteTime.UnstatedZone(ConfigLoader.Parse(Scheduled));
        var utcMachine = TimeZoneInfo.Local.BaseUtcOffset == TimeSpan.Zero && !TimeZoneInfo.Local.SupportsDaylightSavingTime;
        Assert.Equal(utcMachine, onThisMachine is not null);
        if (onThisMachine is not null) Assert.Contains("set time_zone", onThisMachine);
    }
}
