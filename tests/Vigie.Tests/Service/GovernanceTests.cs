using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Vigie.Analytics;
using Vigie.Config;
using Vigie.Service.Api;
using Vigie.Service.Cameras;
using Vigie.Service.Evidence;
using Vigie.Service.Alerts;
using Vigie.Service.Governance;
using Vigie.Service.Notifications;
using Vigie.Service.Security;
using Vigie.Service.Storage;
using Vigie.Tests.Cli;

namespace Vigie.Tests.Service;

/// <summary>Authorisations gate the analysis; the audit log shows tampering; retention purges; the public sees figures only.</summary>
public class GovernanceTests
{
    private static async Task<string> LoopingClip()
    {
        var clip = Path.Combine(TestPaths.TempFolder(), "scene.mp4");
        await Task.Run(() => Vigie.Video.SyntheticScene.Default.WriteVideo(clip));
        return clip;
    }

    [Fact]
    public async Task A_camera_is_analysed_only_while_an_authorisation_covers_it_and_expiry_stops_it()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(await LoopingClip()) + "\n    loop: true",
            authorise: false);
        var health = await service.GetAsync<CameraStatus>("/api/cameras/gate");
        Assert.Equal(CameraStates.Unauthorised, health.State);
        Assert.Equal(["intrusion"], health.Refused);
        await Task.Delay(1500);
        Assert.Equal(0, (await service.GetAsync<CameraStatus>("/api/cameras/gate")).FramesAnalysed);

        var admin = service.As(Roles.Administrator);
        var now = DateTimeOffset.UtcNow;
        object Act(string[] useCases, DateTimeOffset ends, string[]? cameras = null) => new
        {
            reference = "Arrêté 2026-42", authority = "Préfecture de test", act_date = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-1)),
            cameras = cameras ?? ["gate"], use_cases = useCases, starts = now.AddSeconds(-1), ends, perimeter = "car park entrance",
        };
        var invalid = await admin.PostAsJsonAsync("/api/authorisations", Act(["face_recognition"], now.AddSeconds(-5), ["nowhere"]));
        var problems = await invalid.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("use_cases", problems);
        Assert.Contains("cameras", problems);
        Assert.Contains("ends", problems);

        // An act for another use case changes nothing: intrusion stays refused.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/authorisations", Act(["fire"], now.AddHours(1)))).StatusCode);
        Assert.Equal(CameraStates.Unauthorised, (await service.GetAsync<CameraStatus>("/api/cameras/gate")).State);

        var ends = DateTimeOffset.UtcNow.AddSeconds(12);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/authorisations", Act(["intrusion"], ends))).StatusCode);
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await service.GetAsync<CameraStatus>("/api/cameras/gate")).FramesAnalysed > 0,
            TimeSpan.FromSeconds(10)), "the camera should start once authorised");
        Assert.Equal(["intrusion"], (await service.GetAsync<CameraStatus>("/api/cameras/gate")).UseCases);

        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await service.GetAsync<CameraStatus>("/api/cameras/gate")).State == CameraStates.Unauthorised,
            ends - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5)), "expiry should stop the analysis by itself");
        var stoppedAt = (await service.GetAsync<CameraStatus>("/api/cameras/gate")).FramesAnalysed;
        await Task.Delay(1500);
        Assert.Equal(stoppedAt, (await service.GetAsync<CameraStatus>("/api/cameras/gate")).FramesAnalysed);
        Assert.True(DateTimeOffset.UtcNow >= ends);

        var log = await service.Service<AuditLog>().ReadAsync();
        Assert.True(log.Count(e => e.Action == AuditActions.AnalysisRefused && e.Subject == "camera:gate") >= 2, "refusal at start and after expiry");
        Assert.Single(log, e => e.Action == AuditActions.AnalysisStart);
        Assert.Equal(2, log.Count(e => e.Action == AuditActions.AuthorisationCreate));
    }

    [Fact]
    public async Task Revoking_an_authorisation_stops_its_camera_at_once_and_the_public_page_shows_acts_and_figures_only()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(await LoopingClip()) + "\n    loop: true");
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () => (await service.GetAsync<CameraStatus>("/api/cameras/gate")).FramesAnalysed > 0,
            TimeSpan.FromSeconds(15)));
        var store = service.Store;
        var month = DateTimeOffset.UtcNow;
        var confirmed = await store.InsertAsync(new NewAlert("gate", "intrusion", "forbidden", month, month, 0.9, [0, 0, 0.1, 0.1], [1], "t"));
        var dismissed = await store.InsertAsync(new NewAlert("gate", "intrusion", "forbidden", month, month, 0.9, [0, 0, 0.1, 0.1], [2], "t"));
        await service.Http.PostAsJsonAsync($"/api/alerts/{confirmed}/review", new { decision = "confirmed" });
        await service.Http.PostAsJsonAsync($"/api/alerts/{dismissed}/review", new { decision = "dismissed", reason = "animal" });

        var page = await service.Anonymous().GetStringAsync("/api/public/transparency");
        Assert.DoesNotContain("nonexistent", page);
        Assert.DoesNotContain(".mp4", page); // no source, no evidence
        var figures = System.Text.Json.JsonSerializer.Deserialize<Transparency>(page, ApiJson.Options)!;
        var camera = Assert.Single(figures.Cameras);
        Assert.Equal("gate", camera.Name);
        Assert.Contains("intrusion", camera.UseCasesInForce);
        Assert.Equal("TEST-001", Assert.Single(camera.Authorisations).Reference);
        var intrusions = Assert.Single(figures.Months, m => m.Kind == "intrusion");
        Assert.Equal((2L, 1L, 1L, 0.5), (intrusions.Alerts, intrusions.Confirmed, intrusions.Dismissed, intrusions.ConfirmationRate));
        // The counts are made at most once a minute, whoever asks: an alert raised meanwhile shows a minute later.
        await store.InsertAsync(new NewAlert("gate", "intrusion", "forbidden", month, month, 0.9, [0, 0, 0.1, 0.1], [3], "t"));
        var again = System.Text.Json.JsonSerializer.Deserialize<Transparency>(await service.Anonymous().GetStringAsync("/api/public/transparency"), ApiJson.Options)!;
        Assert.Equal(2L, Assert.Single(again.Months, m => m.Kind == "intrusion").Alerts);
        Assert.Equal(HttpStatusCode.OK, (await service.Anonymous().GetAsync("/transparency.html")).StatusCode);

        var report = await service.As(Roles.Auditor).GetFromJsonAsync<ReviewReport>("/api/reports/reviews", ApiJson.Options);
        var kind = Assert.Single(report!.Kinds, k => k.Kind == "intrusion");
        // The signed-in report counts at once, the alert raised just now included (not reviewed).
        Assert.Equal((3L, 1L, 1L, 1L, 0.5), (kind.Alerts, kind.Confirmed, kind.Dismissed, kind.Unreviewed, kind.Precision));
        Assert.Equal(1L, kind.DismissedBy["animal"]);
        var html = await service.As(Roles.Auditor).GetStringAsync("/api/reports/reviews.html");
        Assert.Contains("data:image/png;base64,", html);
        // In a browser the page shows its plots: the API's strict content policy lets its own style and images through.
        using (var playwright = await Microsoft.Playwright.Playwright.CreateAsync())
        await using (var browser = await ConsoleBrowserTests.LaunchChromiumAsync(playwright))
        {
            var reportPage = await browser.NewPageAsync(new() { ExtraHTTPHeaders = new Dictionary<string, string>
                { ["Authorization"] = $"Bearer {await service.LoginAsync(Roles.Auditor)}" } });
            var errors = new List<string>();
            ConsoleBrowserTests.CollectErrors(reportPage, errors);
            await reportPage.GotoAsync($"{service.Url}/api/reports/reviews.html");
            Assert.Equal(2, await reportPage.EvaluateAsync<int>("() => [...document.images].filter(i => i.complete && i.naturalWidth > 0).length"));
            Assert.Equal("collapse", await reportPage.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('table')).borderCollapse"));
            Assert.Empty(errors);
        }

        var admin = service.As(Roles.Administrator);
        var id = (await admin.GetFromJsonAsync<List<Authorisation>>("/api/authorisations", ApiJson.Options))!.Single().Id;
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/authorisations/{id}/revoke", new { reason = " " })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/authorisations/{id}/revoke", new { reason = "act annulled by the court" })).StatusCode);
        Assert.Equal(CameraStates.Unauthorised, (await service.GetAsync<CameraStatus>("/api/cameras/gate")).State);
        Assert.Empty(System.Text.Json.JsonSerializer.Deserialize<Transparency>(await service.Anonymous().GetStringAsync("/api/public/transparency"),
            ApiJson.Options)!.Cameras);
    }

    [Fact]
    public void The_scope_allows_only_use_cases_covered_in_force_on_that_camera()
    {
        var t = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        Authorisation Act(long id, string camera, string useCase, int fromH, int toH, DateTimeOffset? revoked = null) => new(id, "ref", "auth",
            new DateOnly(2026, 11, 1), [camera], [useCase], t.AddHours(fromH), t.AddHours(toH), "p", "admin", t.AddDays(-1), revoked, null, null);
        var acts = new[]
        {
            Act(1, "gate", "intrusion", -1, 1),
            Act(2, "gate", "fire", 1, 2),                       // not yet
            Act(3, "gate", "weapon", -2, 0),                    // ended exactly now
            Act(4, "hall", "crowd_density", -1, 1),             // another camera
            Act(5, "gate", "abandoned_object", -1, 1, t.AddMinutes(-1)), // revoked
        };
        var scope = CameraScope.For("gate", ["intrusion", "fire", "weapon", "crowd_density", "abandoned_object"], acts, t);
        Assert.Equal(["intrusion"], scope.Allowed);
        Assert.Equal(["abandoned_object", "crowd_density", "fire", "weapon"], scope.Refused);
        Assert.Equal([1L], scope.Authorisations);
        Assert.Equal(["fire"], CameraScope.For("gate", ["fire"], acts, t.AddHours(1.5)).Allowed);
    }

    [Fact]
    public void Restricting_a_camera_keeps_only_authorised_use_cases_and_drops_what_has_nothing_left_to_watch()
    {
        var camera = ConfigLoader.Parse("""
            version: 1
            cameras:
              - name: gate
                zones:
                  - name: car_park
                    polygon: [[0, 0], [1, 0], [1, 1]]
                    use_cases: { intrusion: {}, fire: {} }
                  - name: hall
                    polygon: [[0, 0], [1, 0], [1, 1]]
                    use_cases: { crowd_density: { max_persons: 10 } }
                lines:
                  - { name: fence, from: [0.5, 0], to: [0.5, 1] }
            """, "test").Cameras[0];
        Assert.Equal(["crowd_density", "fire", "intrusion"], UseCaseScope.Configured(camera).Order());
        var onlyFire = UseCaseScope.Restrict(camera, new HashSet<string> { "fire" });
        Assert.Equal(["fire"], UseCaseScope.Configured(onlyFire));
        Assert.Equal("car_park", Assert.Single(onlyFire.Zones).Name);
        Assert.Empty(onlyFire.Lines);
        Assert.NotNull(camera.Zones[0].UseCases.Intrusion); // the configured camera is untouched
    }

    [Fact]
    public async Task The_audit_chain_reveals_modification_insertion_and_deletion_and_says_where()
    {
        var folder = TestPaths.TempFolder();
        await using var db = await Database.OpenAsync(new StorageConfig(), folder);
        var log = new AuditLog(db, folder);
        for (int i = 1; i <= 6; i++) await log.AppendAsync("alice", AuditActions.AlertView, $"alert:{i}");
        var intact = await log.VerifyAsync();
        Assert.True(intact.Intact);
        Assert.Equal(6, intact.Entries);

        async Task Sql(string sql)
        {
            await using var c = new SqliteConnection($"Data Source={Path.Combine(folder, "vigie.db")}");
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            await cmd.ExecuteNonQueryAsync();
        }

        await Sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
        var modified = await log.VerifyAsync();
        Assert.Equal(3, Assert.Single(modified.Breaks).Seq);
        Assert.Contains("modified", modified.Breaks[0].Problem);
        await Sql("UPDATE audit_log SET actor = 'alice' WHERE seq = 3");
        Assert.True((await log.VerifyAsync()).Intact);

        await Sql("DELETE FROM audit_log WHERE seq = 4");
        var deleted = await log.VerifyAsync();
        Assert.Contains(deleted.Breaks, b => b.Seq == 5 && b.Problem.Contains("missing"));

        // Re-number to hide the gap, with a forged entry 4 whose own hash is right: the next link still breaks.
        var entries = await log.ReadAsync();
        var forged = new AuditEntry(4, DateTimeOffset.UtcNow, "mallory", "alert.view", "alert:99", "{}", entries.Single(e => e.Seq == 3).Hash, "");
        forged = forged with { Hash = AuditLog.HashOf(forged) };
        await Sql($"INSERT INTO audit_log VALUES (4, {forged.At.ToUnixTimeMilliseconds()}, 'mallory', 'alert.view', 'alert:99', '{{}}', '{forged.PrevHash}', '{forged.Hash}')");
        var inserted = await log.VerifyAsync();
        Assert.Equal([5L], inserted.Breaks.Select(b => b.Seq).Distinct());

        // Cutting the end off: only the head file can tell.
        await Sql("DELETE FROM audit_log WHERE seq >= 4");
        var truncated = await log.VerifyAsync();
        Assert.Contains(truncated.Breaks, b => b.Seq == 6 && b.Problem.Contains("removed from the end"));
    }

    [Fact]
    public async Task Vigie_audit_verify_exits_1_and_names_the_broken_entry()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        await service.Http.GetAsync("/api/alerts");
        var ok = await VigieProcess.RunAsync(["audit", "verify", "--config", service.ConfigPath]);
        Assert.Equal(0, ok.Code);
        Assert.Contains("audit log intact", ok.Output);

        var db = Path.Combine(Path.GetDirectoryName(service.ConfigPath)!, "data", "vigie.db");
        await using (var c = new SqliteConnection($"Data Source={db}"))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE audit_log SET detail = '{\"found\":0}' WHERE action = 'alert.search'";
            await cmd.ExecuteNonQueryAsync();
        }
        var broken = await VigieProcess.RunAsync(["audit", "verify", "--config", service.ConfigPath]);
        Assert.Equal(1, broken.Code);
        Assert.Matches(@"entry \d+: its content does not match its hash \(modified\)", broken.Output);
    }

    /// <summary>A SQLite store in the folder with what retention works on: alerts, the audit log, evidence files.</summary>
    private static async Task<(Database Db, AlertStore Alerts, AuditLog Audit, EvidenceRecorder Evidence)> StoresAsync(string folder)
    {
        var db = await Database.OpenAsync(new StorageConfig(), folder);
        return (db, new AlertStore(db), new AuditLog(db, folder),
            new EvidenceRecorder(folder, 640, new Vigie.Video.PrivacyFilter(null), TimeZoneInfo.Utc, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));
    }

    [Fact]
    public async Task The_purge_deletes_old_evidence_folds_old_alerts_into_monthly_counts_and_is_audited()
    {
        var folder = TestPaths.TempFolder();
        var (db, alerts, audit, evidence) = await StoresAsync(folder);
        await using var _ = db;
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        async Task<long> Alert(DateTimeOffset raised, string status)
        {
            var id = await alerts.InsertAsync(new NewAlert("gate", "intrusion", "z", raised, raised, 0.9, [0, 0, 1, 1], [1], "t"));
            var day = raised.UtcDateTime.ToString("yyyy-MM-dd");
            var snapshot = Path.Combine("evidence", "gate", day, $"{id}.jpg");
            Directory.CreateDirectory(Path.Combine(folder, "evidence", "gate", day));
            await File.WriteAllBytesAsync(Path.Combine(folder, snapshot), [1, 2, 3]);
            await alerts.SetEvidenceAsync(id, snapshot, null);
            if (status != ReviewStatus.New) await alerts.ReviewAsync(id, status, status == ReviewStatus.Dismissed ? "animal" : null, null, "op", raised);
            return id;
        }
        var recent = await Alert(now.AddDays(-2), ReviewStatus.New);
        var month = await Alert(now.AddDays(-40), ReviewStatus.Confirmed);
        var old1 = await Alert(now.AddMonths(-14), ReviewStatus.Dismissed);
        var old2 = await Alert(now.AddMonths(-14).AddHours(1), ReviewStatus.Dismissed);
        var orphan = Path.Combine(folder, "evidence", "gate", now.AddDays(-60).UtcDateTime.ToString("yyyy-MM-dd"), "999.mp4");
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        await File.WriteAllBytesAsync(orphan, [0]);

        // Damaged spools set aside: they hold alerts and snapshots too.
        var spool = AlertSpool.PathIn(folder);
        var oldCopy = AlertSpool.SetAsidePath(spool, now.AddDays(-31).UtcDateTime);
        var recentCopy = AlertSpool.SetAsidePath(spool, now.AddDays(-29).UtcDateTime);
        await File.WriteAllTextAsync(oldCopy, "{}\n");
        await File.WriteAllTextAsync(recentCopy, "{}\n");

        var purge = new RetentionPurge(new RetentionConfig(), alerts, evidence, audit,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RetentionPurge>.Instance);
        var result = await purge.PurgeAsync(now);

        Assert.Equal(3, result.AlertsWithEvidenceCleared);
        Assert.Equal(5, result.EvidenceFilesDeleted);
        Assert.False(File.Exists(oldCopy));
        Assert.True(File.Exists(recentCopy));
        Assert.Equal(2, result.AlertsAggregated);
        Assert.NotNull((await alerts.GetAsync(recent))!.Snapshot);
        Assert.True(File.Exists(Path.Combine(folder, (await alerts.GetAsync(recent))!.Snapshot!)));
        var kept = (await alerts.GetAsync(month))!;
        Assert.Null(kept.Snapshot);
        Assert.Equal(ReviewStatus.Confirmed, kept.Status); // metadata stays for the evaluation period
        Assert.Null(await alerts.GetAsync(old1));
        Assert.Null(await alerts.GetAsync(old2));
        Assert.False(File.Exists(orphan));

        var counts = await alerts.CountAsync(now.AddYears(-2), now);
        var folded = Assert.Single(counts, c => c.Month == AlertCount.MonthOf(now.AddMonths(-14)));
        Assert.Equal(("dismissed", "animal", 2L), (folded.Status, folded.Reason, folded.Alerts));
        var entry = Assert.Single(await audit.ReadAsync(), e => e.Action == AuditActions.Purge);
        Assert.Contains("\"alerts_aggregated\":2", entry.Detail);
        Assert.Equal(new PurgeResult(0, 0, 0), await purge.PurgeAsync(now)); // nothing left to do
    }

    [Theory]
    [InlineData(new long[] { 5, 7, 11 }, 0, 0)]
    [InlineData(new long[] { 5, 7, 11 }, 5, 1)]
    [InlineData(new long[] { 5, 7, 11 }, 6, 2)]
    [InlineData(new long[] { 5, 7, 11 }, 23, 3)]
    [InlineData(new long[] { 5, 7, 11 }, 1000, 3)]
    [InlineData(new long[] { 0, 0, 9 }, 1, 3)]
    public void Making_room_deletes_the_fewest_oldest_evidence_that_frees_enough(long[] bytesOldestFirst, long needed, int expected) =>
        Assert.Equal(expected, FreeSpaceGuard.CountToFree(bytesOldestFirst, needed));

    [Fact]
    public async Task Below_the_free_space_floor_the_oldest_evidence_goes_first_and_when_none_is_left_evidence_pauses_until_space_returns()
    {
        var folder = TestPaths.TempFolder();
        var (db, alerts, audit, evidence) = await StoresAsync(folder);
        await using var _ = db;
        var now = DateTimeOffset.UtcNow;
        var ids = new List<long>();
        foreach (var hoursAgo in new[] { 1, 3, 2 })
        {
            var raised = now.AddHours(-hoursAgo);
            var id = await alerts.InsertAsync(new NewAlert("gate", "intrusion", "z", raised, raised, 0.9, [0, 0, 1, 1], [1], "t"));
            var snapshot = Path.Combine("evidence", "gate", "day", $"{id}.jpg");
            var clip = Path.Combine("evidence", "gate", "day", $"{id}.mp4");
            Directory.CreateDirectory(Path.Combine(folder, "evidence", "gate", "day"));
            await File.WriteAllBytesAsync(Path.Combine(folder, snapshot), new byte[1000]);
            await File.WriteAllBytesAsync(Path.Combine(folder, clip), new byte[5000]);
            await alerts.SetEvidenceAsync(id, snapshot, clip);
            ids.Add(id);
        }
        var free = new DriveInfo(folder).AvailableFreeSpace / (1024 * 1024);
        var retention = new RetentionConfig { MinFreeMb = (int)Math.Min(int.MaxValue, free * 4) };
        var guard = new FreeSpaceGuard(retention, alerts, evidence, audit,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<FreeSpaceGuard>.Instance);

        // A floor this disk cannot reach: all evidence goes, oldest first, and new evidence waits.
        Assert.False(await guard.RoomForEvidenceAsync());
        Assert.True(guard.Now().EvidencePaused);
        foreach (var id in ids)
        {
            var alert = (await alerts.GetAsync(id))!;
            Assert.Null(alert.Snapshot);
            Assert.Null(alert.Clip);
        }
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(folder, "evidence", "gate", "day")));
        var entry = Assert.Single(await audit.ReadAsync(), e => e.Action == AuditActions.SpacePurge);
        Assert.Contains("\"evidence_files_deleted\":6", entry.Detail);
        Assert.Contains("\"alerts_with_evidence_cleared\":3", entry.Detail);
        var raisedFrom = (await alerts.GetAsync(ids[1]))!.Raised; // the oldest, three hours ago
        Assert.Contains(raisedFrom.UtcDateTime.ToString("yyyy-MM-ddTHH:mm"), entry.Detail);

        // Nothing left to delete: no second audit entry while paused.
        Assert.False(await guard.RoomForEvidenceAsync());
        Assert.Single(await audit.ReadAsync(), e => e.Action == AuditActions.SpacePurge);

        // Space back (here: a floor the disk is above): evidence resumes.
        retention.MinFreeMb = 1;
        Assert.True(await guard.RoomForEvidenceAsync());
        Assert.False(guard.Now().EvidencePaused);
        Assert.True(guard.Now().FreeMb > 1);
    }

    [Fact]
    public async Task A_service_below_its_free_space_floor_keeps_every_alert_makes_room_says_so_and_resumes_evidence_when_space_returns()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(await LoopingClip()) + "\n    loop: true", """
              retention: { min_free_mb: 2000000000 }
            """);
        var data = service.Service<EvidenceRecorder>().DataFolder;
        var earlier = DateTimeOffset.UtcNow.AddDays(-1);
        var old = await service.Store.InsertAsync(new NewAlert("gate", "intrusion", "forbidden", earlier, earlier, 0.9, [0, 0, 1, 1], [1], "t"));
        var oldSnapshot = Path.Combine("evidence", "gate", "yesterday", $"{old}.jpg");
        Directory.CreateDirectory(Path.Combine(data, "evidence", "gate", "yesterday"));
        await File.WriteAllBytesAsync(Path.Combine(data, oldSnapshot), new byte[2000]);
        await service.Store.SetEvidenceAsync(old, oldSnapshot, null);

        using var stream = await service.OpenStreamAsync();
        var raised = await service.NextEventAsync(stream, AlertFeed.Raised, TimeSpan.FromSeconds(45));
        Assert.Null(raised.SnapshotUrl); // stored and shown, without evidence
        Assert.NotNull(await service.Store.GetAsync(raised.Id));
        Assert.Null((await service.Store.GetAsync(old))!.Snapshot);
        Assert.False(File.Exists(Path.Combine(data, oldSnapshot)));
        Assert.Contains(await service.Service<AuditLog>().ReadAsync(), e => e.Action == AuditActions.SpacePurge);
        using var anonymous = service.Anonymous();
        var health = await anonymous.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/health");
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("disk").GetProperty("evidence_paused").GetBoolean());
        Assert.Contains("Disk nearly full", health.GetProperty("problems")[0].GetString());

        service.Service<RetentionConfig>().MinFreeMb = 1; // space freed
        AlertView next;
        do next = await service.NextEventAsync(stream, AlertFeed.Raised, TimeSpan.FromSeconds(45));
        while (next.SnapshotUrl is null);
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync(next.SnapshotUrl)).StatusCode);
        health = await anonymous.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
    }
}
