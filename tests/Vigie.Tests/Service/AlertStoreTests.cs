using Microsoft.Data.Sqlite;
using Vigie.Config;
using Vigie.Service.Storage;

namespace Vigie.Tests.Service;

/// <summary>The same storage behaviour on SQLite and on a real PostgreSQL server.</summary>
[Collection("postgres")]
public class AlertStoreTests(PostgresServer postgres)
{
    public static TheoryData<string> Databases => new() { "sqlite", "postgres" };

    private async Task<Database> Open(string type) => type == "sqlite"
        ? await Database.OpenAsync(new StorageConfig(), TestPaths.TempFolder())
        : await Database.OpenAsync(new StorageConfig { Type = "postgres", Connection = postgres.NewDatabase() }, TestPaths.TempFolder());

    private static NewAlert Alert(string camera, string kind, DateTimeOffset raised) =>
        new(camera, kind, "zone_a", raised.AddSeconds(-1), raised, 0.8, [0.1, 0.2, 0.3, 0.4], [7, 9], "person in zone zone_a");

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Stores_alerts_evidence_and_end_and_finds_them_by_every_filter(string db)
    {
        await using var database = await Open(db);
        var store = new AlertStore(database);
        var t0 = new DateTimeOffset(2026, 11, 23, 14, 0, 0, TimeSpan.Zero);
        var a = await store.InsertAsync(Alert("gate", "intrusion", t0));
        var b = await store.InsertAsync(Alert("gate", "fire", t0.AddMinutes(30)));
        var c = await store.InsertAsync(Alert("hall", "intrusion", t0.AddHours(2)));
        await store.SetEvidenceAsync(a, "evidence/gate/a.jpg", null);
        await store.SetEvidenceAsync(a, null, "evidence/gate/a.mp4");
        await store.CloseAsync(a, t0.AddSeconds(20));

        var stored = await store.GetAsync(a);
        Assert.NotNull(stored);
        Assert.Equal(("gate", "intrusion", "zone_a"), (stored.Camera, stored.Kind, stored.Zone));
        Assert.Equal(t0, stored.Raised);
        Assert.Equal(t0.AddSeconds(20), stored.Ended);
        Assert.Equal([0.1, 0.2, 0.3, 0.4], stored.Box);
        Assert.Equal([7, 9], stored.TrackIds);
        Assert.Equal(("evidence/gate/a.jpg", "evidence/gate/a.mp4"), (stored.Snapshot, stored.Clip));
        Assert.Equal(ReviewStatus.New, stored.Status);

        Assert.Equal([c, b, a], (await store.SearchAsync(new AlertQuery())).Select(x => x.Id));
        Assert.Equal([c, a], (await store.SearchAsync(new AlertQuery(Kind: "intrusion"))).Select(x => x.Id));
        Assert.Equal([b, a], (await store.SearchAsync(new AlertQuery(Camera: "gate"))).Select(x => x.Id));
        Assert.Equal([b], (await store.SearchAsync(new AlertQuery(From: t0.AddMinutes(1), To: t0.AddHours(1)))).Select(x => x.Id));
        Assert.Equal([c], (await store.SearchAsync(new AlertQuery(Limit: 1))).Select(x => x.Id));
        Assert.Null(await store.GetAsync(9999));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Keeps_every_review_decision_with_who_and_when(string db)
    {
        await using var database = await Open(db);
        var store = new AlertStore(database);
        var id = await store.InsertAsync(Alert("gate", "intrusion", DateTimeOffset.UtcNow));
        var first = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await store.ReviewAsync(id, ReviewStatus.Dismissed, "animal", "a fox", "alice", first);
        var updated = await store.ReviewAsync(id, ReviewStatus.Confirmed, null, "looked again: a person behind the fox", "bob", first.AddMinutes(2));

        Assert.NotNull(updated);
        Assert.Equal((ReviewStatus.Confirmed, "bob", first.AddMinutes(2)), (updated.Status, updated.ReviewedBy, updated.ReviewedAt));
        var reviews = await store.ReviewsAsync(id);
        Assert.Equal(["alice", "bob"], reviews.Select(r => r.Reviewer));
        Assert.Equal(("dismissed", "animal", "a fox", first), (reviews[0].Decision, reviews[0].Reason, reviews[0].Note, reviews[0].DecidedAt));
        Assert.Equal([id], (await store.SearchAsync(new AlertQuery(Status: ReviewStatus.Confirmed))).Select(a => a.Id));
        Assert.Null(await store.ReviewAsync(9999, ReviewStatus.Confirmed, null, null, "bob", first));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Reading_on_after_an_alert_gives_every_older_one_once_even_those_raised_in_the_same_millisecond(string db)
    {
        await using var database = await Open(db);
        var store = new AlertStore(database);
        var t0 = new DateTimeOffset(2026, 11, 23, 14, 0, 0, TimeSpan.Zero);
        var ids = new List<long>();
        foreach (var seconds in new[] { 0, 1, 1, 1, 2, 3 }) ids.Add(await store.InsertAsync(Alert("gate", "intrusion", t0.AddSeconds(seconds))));

        var read = new List<long>();
        for (long? before = null; ;)
        {
            var page = await store.SearchAsync(new AlertQuery(Limit: 2, Before: before));
            if (page.Count == 0) break;
            read.AddRange(page.Select(a => a.Id));
            before = page[^1].Id;
        }
        Assert.Equal([ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]], read);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Counts_alerts_per_utc_month_within_the_range_and_keeps_them_once_folded_by_retention(string db)
    {
        await using var database = await Open(db);
        var store = new AlertStore(database);
        var april = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        await store.InsertAsync(Alert("gate", "intrusion", april.AddDays(-40)));           // before the range (folded counts are by whole month)
        await store.InsertAsync(Alert("gate", "intrusion", april.AddMilliseconds(-1)));    // March's last instant
        await store.InsertAsync(Alert("gate", "intrusion", april));                        // April's first
        foreach (var camera in new[] { "gate", "gate", "hall" })
        {
            var dismissed = await store.InsertAsync(Alert(camera, "intrusion", april.AddDays(14)));
            await store.ReviewAsync(dismissed, ReviewStatus.Dismissed, "animal", null, "alice", april.AddDays(15));
        }
        await store.InsertAsync(Alert("gate", "fire", april.AddMonths(1)));                // the range's end: left out
        var from = april.AddDays(-15);
        var to = april.AddMonths(1);

        static string[] Lines(IEnumerable<AlertCount> counts) =>
            counts.Select(c => $"{c.Month} {c.Camera} {c.Kind} {c.Status} {c.Reason} {c.Alerts}").Order().ToArray();
        string[] expected =
        [
            "2026-03 gate intrusion new  1",
            "2026-04 gate intrusion dismissed animal 2",
            "2026-04 gate intrusion new  1",
            "2026-04 hall intrusion dismissed animal 1",
        ];
        Assert.Equal(expected, Lines(await store.CountAsync(from, to)));

        Assert.Equal(6, await store.AggregateBeforeAsync(april.AddDays(20)));
        Assert.Equal(expected, Lines(await store.CountAsync(from, to)));
        Assert.Equal(["2026-05 gate fire new  1"], Lines(await store.CountAsync(to, to.AddDays(1))));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Migrations_run_once_and_reopening_keeps_the_data(string db)
    {
        var folder = TestPaths.TempFolder();
        var config = db == "sqlite" ? new StorageConfig() : new StorageConfig { Type = "postgres", Connection = postgres.NewDatabase() };
        long id;
        await using (var database = await Database.OpenAsync(config, folder))
            id = await new AlertStore(database).InsertAsync(Alert("gate", "weapon", DateTimeOffset.UtcNow));
        await using (var again = await Database.OpenAsync(config, folder))
        {
            Assert.Equal(Migrations.All.Select(m => m.Version), await again.AppliedMigrationsAsync());
            Assert.Equal("weapon", (await new AlertStore(again).GetAsync(id))?.Kind);
            // A newer vigie then changed the schema: this one refuses the database rather than misread it.
            await again.ExecuteAsync("INSERT INTO schema_migrations (version, description, applied_ms) VALUES (999, 'from the future', 0)",
                CancellationToken.None);
        }
        var refused = await Assert.ThrowsAsync<StorageException>(() => Database.OpenAsync(config, folder));
        Assert.Contains("newer Vigie (schema version 999)", refused.Message);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task Failed_sign_ins_are_counted_per_address_and_forgotten_at_success(string db)
    {
        await using var database = await Open(db);
        var users = new Vigie.Service.Security.UserStore(database, new SecurityConfig { LockoutAttempts = 2 });
        var t = new DateTimeOffset(2026, 11, 25, 22, 0, 0, TimeSpan.Zero);
        await users.CreateAsync("ann", Vigie.Service.Security.Roles.Operator, "a long enough passphrase", t);
        Task<Vigie.Service.Security.LoginResult> Check(string password, string from) => users.CheckPasswordAsync("ann", password, from, t);

        Assert.Equal(Vigie.Service.Security.LoginOutcome.WrongCredentials, (await Check("wrong", "10.0.0.1")).Outcome);
        Assert.Equal(Vigie.Service.Security.LoginOutcome.Locked, (await Check("wrong", "10.0.0.1")).Outcome);
        Assert.Equal(Vigie.Service.Security.LoginOutcome.Locked, (await Check("a long enough passphrase", "10.0.0.1")).Outcome);
        Assert.Equal(Vigie.Service.Security.LoginOutcome.WrongCredentials, (await Check("wrong", "10.0.0.2")).Outcome);
        Assert.Equal(Vigie.Service.Security.LoginOutcome.Ok, (await Check("a long enough passphrase", "10.0.0.2")).Outcome);
        // The success from 10.0.0.2 forgot its failure there: one more is not yet a lock.
        Assert.Equal(Vigie.Service.Security.LoginOutcome.WrongCredentials, (await Check("wrong", "10.0.0.2")).Outcome);
    }

    [Fact]
    public async Task Sqlite_runs_in_wal_mode_so_a_killed_process_loses_no_committed_alert()
    {
        var folder = TestPaths.TempFolder();
        await using (var database = await Database.OpenAsync(new StorageConfig(), folder))
            await new AlertStore(database).InsertAsync(Alert("gate", "fire", DateTimeOffset.UtcNow));
        await using var c = new SqliteConnection($"Data Source={Path.Combine(folder, "vigie.db")}");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task An_unreachable_postgres_is_a_clear_error()
    {
        var config = new StorageConfig { Type = "postgres", Connection = $"Host=127.0.0.1;Port={Ports.Free()};Database=x;Username=x;Timeout=3" };
        var e = await Assert.ThrowsAsync<StorageException>(() => Database.OpenAsync(config, TestPaths.TempFolder()));
        Assert.Contains("cannot open the database", e.Message);
        Assert.Contains("127.0.0.1", e.Message);
        Assert.EndsWith(": Connection refused", e.Message); // the cause, which Npgsql's own words ("Failed to connect to …") leave out
    }
}
