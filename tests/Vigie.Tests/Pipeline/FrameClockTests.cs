using Vigie.Config;
using Vigie.Pipeline;

namespace Vigie.Tests.Pipeline;

/// <summary>Frames' clock times: a recording's from its start, a live camera's from when its frames arrive.</summary>
public class FrameClockTests
{
    private static readonly DateTimeOffset Opened = new(2026, 11, 25, 21, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(0.2);

    [Fact]
    public void A_recording_is_its_start_plus_stream_time_whenever_frames_are_read()
    {
        var clock = FrameClock.Recording(Opened, TimeZoneInfo.Utc);
        Assert.Equal(Opened + TimeSpan.FromSeconds(90), clock.At(TimeSpan.FromSeconds(90), Opened + TimeSpan.FromDays(3)));
    }

    [Fact]
    public void A_recording_across_the_end_of_summer_time_reads_the_site_clock_on_either_side()
    {
        var paris = SiteTime.Find("Europe/Paris")!;
        var start = new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.FromHours(2)); // 02:30 summer time, half an hour before the change
        var clock = FrameClock.Recording(start, paris);
        Assert.Equal(TimeSpan.FromHours(2), clock.At(TimeSpan.FromMinutes(10), start).Offset);
        var after = clock.At(TimeSpan.FromMinutes(40), start);
        Assert.Equal((2, 10, TimeSpan.FromHours(1)), (after.Hour, after.Minute, after.Offset)); // 02:10 again, winter time
    }

    [Fact]
    public void A_live_camera_is_stamped_with_its_least_delayed_frames_not_when_it_was_opened_nor_by_a_late_burst()
    {
        var clock = FrameClock.Live(TimeZoneInfo.Utc);
        var jitter = new Random(7);
        // The first frame comes 1.5 s after the source was opened (a connection and a key frame), with four more
        // buffered behind it; then one every 0.2 s, each 50-150 ms after it was taken (network and decoding).
        var taken = Opened + TimeSpan.FromSeconds(1.4);
        var stamps = new List<(DateTimeOffset Taken, DateTimeOffset Clock)>();
        for (int i = 0; i < 100; i++)
        {
            var t = i * Step;
            var arrived = i < 5 ? Opened + TimeSpan.FromSeconds(2.2) : taken + t + TimeSpan.FromMilliseconds(50 + jitter.Next(100));
            // Frames 60 to 74 held up 3 s by the network, then arriving all at once.
            if (i is >= 60 and < 75) arrived = taken + 75 * Step + TimeSpan.FromSeconds(3);
            stamps.Add((taken + t, clock.At(t, arrived)));
        }
        // Every frame after the first second is stamped within 100 ms of when it was taken (the least delay, 50 ms,
        // is not known and stays in): the late burst kept its frames' own spacing. Stream time from the opening
        // would have put every frame 1.4 s early.
        Assert.All(stamps.Skip(5), s => Assert.InRange((s.Taken - s.Clock).TotalMilliseconds, -100, 0));
    }

    [Theory]
    [InlineData(1.0001)]  // a camera's clock gaining 100 ppm: 8.6 s a day
    [InlineData(0.9999)]  // losing as much
    public void A_live_camera_clock_drifting_for_a_day_stays_within_milliseconds_of_true_time(double rate)
    {
        var clock = FrameClock.Live(TimeZoneInfo.Utc);
        var worst = TimeSpan.Zero;
        for (long i = 0; i < 24 * 3600 * 5; i++)
        {
            var taken = Opened + i * Step;
            var stamped = clock.At(i * Step * rate, taken + TimeSpan.FromMilliseconds(80));
            if (i > 5 && (taken - stamped).Duration() > worst) worst = (taken - stamped).Duration();
        }
        // From stream time alone the last frame would be 8.6 s off.
        Assert.True(worst < TimeSpan.FromMilliseconds(100), $"{worst.TotalMilliseconds:0} ms off");
    }

    [Theory]
    [InlineData(3600)]   // NTP setting a machine's clock right some minutes after boot
    [InlineData(-3600)]
    public void A_step_of_the_machines_clock_is_followed_within_a_minute(int stepSeconds)
    {
        var clock = FrameClock.Live(TimeZoneInfo.Utc);
        var step = TimeSpan.FromSeconds(stepSeconds);
        DateTimeOffset? followedAt = null;
        for (int i = 0; i < 5 * 300; i++)
        {
            var t = i * Step;
            var arrived = Opened + t + (i >= 500 ? step : TimeSpan.Zero);
            var stamped = clock.At(t, arrived);
            if (i >= 500 && followedAt is null && stamped == arrived) followedAt = arrived - step;
        }
        Assert.NotNull(followedAt);
        Assert.InRange((followedAt!.Value - (Opened + 500 * Step)).TotalSeconds, 0, FrameClock.Window.TotalSeconds + 0.2);
    }

    [Fact]
    public void A_live_camera_is_stamped_on_the_site_clock()
    {
        var paris = SiteTime.Find("Europe/Paris")!;
        var stamped = FrameClock.Live(paris).At(TimeSpan.Zero, Opened);
        Assert.Equal(Opened, stamped);
        Assert.Equal(TimeSpan.FromHours(1), stamped.Offset);
    }
}
