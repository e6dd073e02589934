using Vigie.Analytics;

namespace Vigie.Tests.Analytics;

public class ScheduleTests
{
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    private static DateTimeOffset At(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero); // 2026-11-23 is a Monday

    [Fact]
    public void A_night_window_runs_past_midnight_into_the_next_day()
    {
        var s = new Schedule([new ScheduleWindow(new HashSet<DayOfWeek> { DayOfWeek.Monday }, TimeSpan.FromHours(22), TimeSpan.FromHours(6))], Utc);
        Assert.True(s.IsActive(At(23, 23)));   // Monday 23:00
        Assert.True(s.IsActive(At(24, 5, 59))); // Tuesday 05:59, the Monday night
        Assert.False(s.IsActive(At(24, 6)));
        Assert.False(s.IsActive(At(23, 5)));    // Monday 05:00 belongs to Sunday night
        Assert.False(s.IsActive(At(24, 23)));   // Tuesday night not scheduled
    }

    [Fact]
    public void A_day_window_and_no_window()
    {
        var s = new Schedule([new ScheduleWindow(new HashSet<DayOfWeek>(), TimeSpan.FromHours(8), TimeSpan.FromHours(18))], Utc);
        Assert.True(s.IsActive(At(25, 8)));
        Assert.False(s.IsActive(At(25, 18)));
        Assert.True(Schedule.Always.IsActive(At(25, 3)));
    }
}
