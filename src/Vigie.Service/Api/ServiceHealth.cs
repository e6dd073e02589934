using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Vigie.Config;
using Vigie.Service.Alerts;
using Vigie.Service.Cameras;
using Vigie.Service.Governance;

namespace Vigie.Service.Api;

/// <summary>The service's health: "ok" or "degraded", with each problem in the words the console's banner shows.</summary>
public sealed record ServiceHealth(string Status, IReadOnlyList<string> Problems, int Cameras, int Online, int AlertsWaitingForDatabase,
    int AlertsNotStored, DiskSpace Disk)
{
    /// <param name="cameraStates">Each camera's state (<see cref="CameraStates"/>).</param>
    /// <param name="waiting">Alerts, ends and clips waiting for the database.</param>
    /// <param name="notStored">Those that could not be stored since the service started, and when the last was.</param>
    /// <param name="site">The site's clock, which times are said on.</param>
    public static ServiceHealth Of(IReadOnlyList<string> cameraStates, int waiting, (int Count, DateTimeOffset? Last) notStored, DiskSpace disk,
        TimeZoneInfo site)
    {
        var down = cameraStates.Count(s => s is CameraStates.Reconnecting or CameraStates.Failed);
        var problems = new List<string>();
        if (down > 0) problems.Add($"{down} camera(s) reconnecting or failed: the Cameras page says which and why.");
        if (waiting > 0)
            problems.Add($"Database unavailable: {waiting} alert(s) (or ends and clips of alerts) wait and will be stored and shown once it is back.");
        if (notStored is { Count: > 0, Last: { } last })
            problems.Add($"{notStored.Count} alert(s) (or ends or clips of alerts) could not be stored since the service started, the last at "
                + $"{SiteTime.On(site, last):yyyy-MM-dd HH:mm:ss zzz}: each is in the service's log, whole, on a line with NOT STORED and the reason.");
        if (disk.EvidencePaused)
            problems.Add($"Disk nearly full: {disk.FreeMb} MB free on the data disk (floor {disk.MinFreeMb} MB) and no older evidence left to delete; "
                + "new alerts are stored without snapshot or clip until space is freed.");
        return new(problems.Count == 0 ? "ok" : "degraded", problems, cameraStates.Count, cameraStates.Count(s => s == CameraStates.Online),
            waiting, notStored.Count, disk);
    }

    /// <summary>GET, and HEAD for the uptime monitors that ask with it (they read a 401 as the service being down).</summary>
    public static void Map(WebApplication app, TimeZoneInfo site) =>
        app.MapMethods("/api/health", [HttpMethods.Get, HttpMethods.Head], (CameraSupervisor cameras, FreeSpaceGuard space, AlertDesk desk) =>
                Of([.. cameras.Workers.Select(w => w.Health.Read(DateTimeOffset.Now).State)], desk.WaitingForDatabase, desk.NotStored, space.Now(), site))
            .AllowAnonymous().WithTags("service")
            .WithSummary("Liveness of the service, for monitoring: camera counts, the data disk's free space, alerts waiting for the database or not stored; "
                + "'degraded' with the problems in words while a camera is down, alerts wait, get no evidence or could not be stored (the last until the service restarts).");
}
