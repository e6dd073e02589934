using Vigie.Config;
using Vigie.Service.Api;
using Vigie.Service.Cameras;
using Vigie.Service.Governance;

namespace Vigie.Tests.Service;

/// <summary>What `GET /api/health` and the console's banner say.</summary>
public class ServiceHealthTests
{
    private static readonly DiskSpace Roomy = new(50_000, 500, false);

    [Fact]
    public void A_service_with_every_camera_online_and_every_alert_stored_is_ok()
    {
        var health = ServiceHealth.Of([CameraStates.Online, CameraStates.Online], 0, (0, null), Roomy, TimeZoneInfo.Utc);
        Assert.Equal(("ok", 2, 2), (health.Status, health.Cameras, health.Online));
        Assert.Empty(health.Problems);
    }

    [Fact]
    public void Alerts_that_could_not_be_stored_are_said_with_the_last_time_on_the_site_clock_and_where_they_are()
    {
        var last = new DateTimeOffset(2026, 11, 25, 21, 5, 0, TimeSpan.Zero);
        var health = ServiceHealth.Of([CameraStates.Online, CameraStates.Reconnecting], 3, (2, last), Roomy, SiteTime.Find("Europe/Paris")!);
        Assert.Equal("degraded", health.Status);
        Assert.Equal((3, 2, 1), (health.AlertsWaitingForDatabase, health.AlertsNotStored, health.Online));
        Assert.Equal(3, health.Problems.Count);
        Assert.Contains(health.Problems, p => p.StartsWith("1 camera(s) reconnecting", StringComparison.Ordinal));
        Assert.Contains(health.Problems, p => p.StartsWith("Database unavailable: 3 alert(s)", StringComparison.Ordinal));
        var lost = Assert.Single(health.Problems, p => p.Contains("could not be stored"));
        Assert.StartsWith("2 alert(s)", lost);
        Assert.Contains("the last at 2026-11-25 22:05:00 +01:00", lost);
        Assert.Contains("NOT STORED", lost);
    }
}
