using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigie.Service.Storage;
using static Vigie.Service.Storage.Database;

namespace Vigie.Service.Governance;

public sealed record AuditEntry(long Seq, DateTimeOffset At, string Actor, string Action, string Subject, string Detail, string PrevHash, string Hash);

/// <summary>A place where the chain is broken: the first entry that does not check out, and why.</summary>
public sealed record AuditBreak(long Seq, string Problem);

public sealed record AuditVerification(long Entries, string HeadHash, IReadOnlyList<AuditBreak> Breaks)
{
    public bool Intact => Breaks.Count == 0;
}

/// <summary>
/// Append-only, hash-chained log of who did what: each entry's hash covers its own fields and the
/// previous entry's hash, so changing, inserting or deleting an entry breaks every link after it.
/// The head (last sequence number and hash) is also written to a file beside the data, so that
/// cutting entries off the end is caught too.
/// </summary>
public sealed class AuditLog(Database db, string dataFolder)
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    public const string System = "system";
    private readonly SemaphoreSlim _appending = new(1);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _lastRepeated = new();

    /// <summary>
    /// For views that repeat every few seconds (a live preview refreshing): one entry per actor and
    /// subject per window, which says who watched what without burying the log.
    /// </summary>
    public async Task AppendOnceEveryAsync(TimeSpan window, string actor, string action, string subject, CancellationToken ct = default)
    {
        var key = $"{actor}\n{action}\n{subject}";
        var now = DateTimeOffset.UtcNow;
        if (_lastRepeated.TryGetValue(key, out var last) && now - last < window) return;
        _lastRepeated[key] = now;
        await AppendAsync(actor, action, subject, new { RepeatsWithin = window }, ct);
    }

    public string HeadFile => HeadFileIn(dataFolder);

    /// <summary>Where the head is kept in a data folder (or a backup of one).</summary>
    public static string HeadFileIn(string folder) => Path.Combine(folder, "audit-head.json");

    public async Task<AuditEntry> AppendAsync(string actor, string action, string subject, object? detail = null, CancellationToken ct = default)
    {
        var detailJson = detail switch
        {
            null => "{}",
            string s => JsonSerializer.Serialize(new { note = s }),
            _ => JsonSerializer.Serialize(detail, Api.ApiJson.Options),
        };
        await _appending.WaitAsync(ct);
        try
        {
            await using var c = await db.ConnectAsync(ct);
            // An immediate (SQLite) or table-locking (PostgreSQL) transaction: a CLI command writing at the
            // same time as the service waits its turn instead of forking the chain.
            await using var tx = await c.BeginTransactionAsync(ct);
            if (db.Dialect == SqlDialect.Postgres)
                await using (var lockCmd = Command(c, "LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE", tx)) await lockCmd.ExecuteNonQueryAsync(ct);
            var last = (await QueryAsync(c, tx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", r => (Seq: r.GetInt64(0), Hash: r.GetString(1)), ct))
                .FirstOrDefault();
            var seq = last.Hash is null ? 1 : last.Seq + 1;
            var prev = last.Hash ?? Genesis;
            var at = DateTimeOffset.UtcNow;
            var entry = new AuditEntry(seq, FromMs(Ms(at)), actor, action, subject, detailJson, prev, "");
            entry = entry with { Hash = HashOf(entry) };
            await using (var insert = Command(c, """
                             INSERT INTO audit_log (seq, at_ms, actor, action, subject, detail, prev_hash, hash)
                             VALUES (@seq, @at, @actor, @action, @subject, @detail, @prev, @hash)
                             """, tx, ("seq", entry.Seq), ("at", Ms(entry.At)), ("actor", actor), ("action", action), ("subject", subject),
                             ("detail", detailJson), ("prev", prev), ("hash", entry.Hash)))
                await insert.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            await WriteHeadAsync(HeadFile, new Head(entry.Seq, entry.Hash));
            return entry;
        }
        finally
        {
            _appending.Release();
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(long afterSeq = 0, int limit = 500, string? action = null, string? actor = null,
        CancellationToken ct = default)
    {
        var filters = "seq > @after" + (action is null ? "" : " AND action = @action") + (actor is null ? "" : " AND actor = @actor");
        return await db.QueryAsync($"SELECT {Columns} FROM audit_log WHERE {filters} ORDER BY seq LIMIT @limit", Read, ct,
            ("after", afterSeq), ("action", action), ("actor", actor), ("limit", Math.Clamp(limit, 1, 5000)));
    }

    /// <summary>The <paramref name="limit"/> entries just before a sequence number (the newest when null), in order.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadBeforeAsync(long? beforeSeq, int limit = 500, string? action = null, string? actor = null,
        CancellationToken ct = default)
    {
        var filters = "seq < @before" + (action is null ? "" : " AND action = @action") + (actor is null ? "" : " AND actor = @actor");
        var newestFirst = await db.QueryAsync($"SELECT {Columns} FROM audit_log WHERE {filters} ORDER BY seq DESC LIMIT @limit", Read, ct,
            ("before", beforeSeq ?? long.MaxValue), ("action", action), ("actor", actor), ("limit", Math.Clamp(limit, 1, 5000)));
        newestFirst.Reverse();
        return newestFirst;
    }

    /// <summary>The latest entry of this action, if any.</summary>
    public async Task<AuditEntry?> LastAsync(string action, CancellationToken ct = default) =>
        (await ReadBeforeAsync(null, 1, action, ct: ct)).FirstOrDefault();

    /// <summary>Walks the whole chain and reports every place where it does not check out.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct = default)
    {
        var breaks = new List<AuditBreak>();
        long expectedSeq = 1, count = 0;
        var prevHash = Genesis;
        var stored = new Dictionary<long, string>();
        await using (var c = await db.ConnectAsync(ct))
        await using (var cmd = Command(c, $"SELECT {Columns} FROM audit_log ORDER BY seq"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var e = Read(r);
                count++;
                if (e.Seq != expectedSeq)
                    breaks.Add(new AuditBreak(e.Seq, e.Seq > expectedSeq
                        ? $"entries {expectedSeq}..{e.Seq - 1} are missing (deleted)"
                        : $"sequence goes back from {expectedSeq - 1} to {e.Seq} (inserted)"));
                if (e.PrevHash != prevHash)
                    breaks.Add(new AuditBreak(e.Seq, "does not follow the entry before it (an entry was inserted, deleted or changed before it)"));
                if (HashOf(e) != e.Hash)
                    breaks.Add(new AuditBreak(e.Seq, "its content does not match its hash (modified)"));
                prevHash = e.Hash;
                expectedSeq = e.Seq + 1;
                stored[e.Seq] = e.Hash;
            }
        }
        if (File.Exists(HeadFile))
        {
            var head = await ReadHeadAsync(HeadFile, ct);
            if (head is not null && (!stored.TryGetValue(head.Seq, out var hash) || hash != head.Hash))
                breaks.Add(new AuditBreak(head.Seq, $"the recorded head (entry {head.Seq}) is {(stored.ContainsKey(head.Seq) ? "different" : "gone")}: entries were removed from the end or rewritten"));
        }
        else if (count > 0)
        {
            breaks.Add(new AuditBreak(expectedSeq - 1, $"the head file {HeadFile} is missing"));
        }
        return new AuditVerification(count, prevHash, breaks);
    }

    /// <summary>SHA-256 over the previous hash and every field, each on its own line.</summary>
    public static string HashOf(AuditEntry e) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\n', e.PrevHash, e.Seq, Ms(e.At), e.Actor, e.Action, e.Subject, e.Detail))));

    public sealed record Head(long Seq, string Hash);

    public static async Task<Head?> ReadHeadAsync(string file, CancellationToken ct = default) =>
        JsonSerializer.Deserialize<Head>(await File.ReadAllTextAsync(file, ct));

    public static async Task WriteHeadAsync(string file, Head head)
    {
        var temporary = file + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(head));
        File.Move(temporary, file, overwrite: true);
    }

    private const string Columns = "seq, at_ms, actor, action, subject, detail, prev_hash, hash";

    private static AuditEntry Read(DbDataReader r) =>
        new(r.GetInt64(0), FromMs(r.GetInt64(1)), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7));
}

/// <summary>The names of audited actions, as they appear in the log.</summary>
public static class AuditActions
{
    public const string Login = "login";
    public const string LoginFailed = "login.failed";
    public const string LoginLocked = "login.locked";
    public const string Logout = "logout";
    public const string AlertSearch = "alert.search";
    public const string AlertView = "alert.view";
    public const string SnapshotView = "snapshot.view";
    public const string ClipView = "clip.view";
    public const string CameraView = "camera.view";
    public const string Review = "alert.review";
    public const string SceneChange = "config.scene";
    public const string UserCreate = "user.create";
    public const string UserChange = "user.change";
    public const string PasswordChange = "user.password";
    public const string AuthorisationCreate = "authorisation.create";
    public const string AuthorisationRevoke = "authorisation.revoke";
    public const string AnalysisStart = "analysis.start";
    public const string AnalysisRefused = "analysis.refused";
    public const string AuditRead = "audit.read";
    public const string ReportView = "report.view";
    public const string Purge = "retention.purge";
    public const string SpacePurge = "retention.space_purge";
    public const string ForensicSearch = "forensic.search";
    public const string ForensicExcerpt = "forensic.excerpt";
    public const string ForensicUnblur = "forensic.unblur";
    public const string ForensicSynopsis = "forensic.synopsis";
    public const string ForensicSynopsisRemove = "forensic.synopsis.remove";
    public const string Backup = "data.backup";
    public const string Restore = "data.restore";
    public const string ServiceStart = "service.start";
    public const string ConfigChange = "config.change";
}
