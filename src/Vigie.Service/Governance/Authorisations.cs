using System.Data.Common;
using System.Text.Json;
using Vigie.Analytics;
using Vigie.Service.Storage;
using static Vigie.Service.Storage.Database;

namespace Vigie.Service.Governance;

/// <summary>
/// The legal act that allows analysing some cameras for some use cases during a period: its
/// reference, who issued it and when, and the perimeter it covers (as the act words it).
/// </summary>
public sealed record Authorisation(
    long Id,
    string Reference,
    string Authority,
    DateOnly ActDate,
    IReadOnlyList<string> Cameras,
    IReadOnlyList<string> UseCases,
    DateTimeOffset Starts,
    DateTimeOffset Ends,
    string Perimeter,
    string CreatedBy,
    DateTimeOffset Created,
    DateTimeOffset? Revoked,
    string? RevokedBy,
    string? RevokeReason)
{
    /// <summary>In force at <paramref name="t"/>: started, not ended, not revoked.</summary>
    public bool InForce(DateTimeOffset t) => Revoked is null && Starts <= t && t < Ends;
}

/// <summary>An authorisation as an administrator records it.</summary>
public sealed record NewAuthorisation(
    string Reference,
    string Authority,
    DateOnly ActDate,
    IReadOnlyList<string> Cameras,
    IReadOnlyList<string> UseCases,
    DateTimeOffset Starts,
    DateTimeOffset Ends,
    string Perimeter)
{
    /// <summary>Every problem, each with the field it concerns.</summary>
    public Dictionary<string, string[]> Validate(IReadOnlyCollection<string> knownCameras)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Reference)) errors["reference"] = ["must give the legal act's reference (e.g. prefectoral order no.)"];
        if (string.IsNullOrWhiteSpace(Authority)) errors["authority"] = ["must name the issuing authority"];
        if (string.IsNullOrWhiteSpace(Perimeter)) errors["perimeter"] = ["must describe the perimeter the act covers"];
        if (Cameras.Count == 0) errors["cameras"] = ["must list at least one camera"];
        else if (Cameras.Where(c => !knownCameras.Contains(c)).ToList() is { Count: > 0 } unknown)
            errors["cameras"] = [$"unknown camera(s): {string.Join(", ", unknown)}; configured: {string.Join(", ", knownCameras)}"];
        if (UseCases.Count == 0) errors["use_cases"] = ["must list at least one use case"];
        else if (UseCases.Where(u => !EventKinds.All.Contains(u)).ToList() is { Count: > 0 } bad)
            errors["use_cases"] = [$"not use cases: {string.Join(", ", bad)}; one of {string.Join(", ", EventKinds.All)}"];
        if (Ends <= Starts) errors["ends"] = ["must be after 'starts'"];
        if (DateOnly.FromDateTime(Starts.UtcDateTime) < ActDate) errors["starts"] = ["cannot start before the act was issued (act_date)"];
        return errors;
    }
}

/// <summary>What may be analysed on one camera at one time, and why the rest is refused.</summary>
public sealed record CameraScope(string Camera, IReadOnlySet<string> Allowed, IReadOnlyList<string> Refused, IReadOnlyList<long> Authorisations)
{
    /// <summary>
    /// The use cases the camera is configured for that an authorisation in force covers. Pure, so the
    /// rule "no analysis without an act in force" is tested without a clock or a database.
    /// </summary>
    public static CameraScope For(string camera, IReadOnlyCollection<string> configured, IEnumerable<Authorisation> authorisations, DateTimeOffset t)
    {
        var covering = authorisations.Where(a => a.InForce(t) && a.Cameras.Contains(camera)).ToList();
        var allowed = configured.Where(u => covering.Any(a => a.UseCases.Contains(u))).ToHashSet();
        return new CameraScope(camera, allowed, configured.Where(u => !allowed.Contains(u)).Order(StringComparer.Ordinal).ToList(),
            covering.Select(a => a.Id).ToList());
    }

    public bool SameAs(CameraScope other) => Allowed.SetEquals(other.Allowed);
}

/// <summary>Authorisations are never deleted nor edited: one is recorded, and may be revoked with a reason.</summary>
public sealed class AuthorisationStore(Database db)
{
    private const string Columns =
        "id, reference, authority, act_date, cameras, use_cases, starts_ms, ends_ms, perimeter, created_by, created_ms, revoked_ms, revoked_by, revoke_reason";

    public async Task<Authorisation> CreateAsync(NewAuthorisation a, string by, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await db.ConnectAsync(ct);
        await using var cmd = Command(c, """
            INSERT INTO authorisations (reference, authority, act_date, cameras, use_cases, starts_ms, ends_ms, perimeter, created_by, created_ms)
            VALUES (@ref, @auth, @date, @cams, @uses, @starts, @ends, @perim, @by, @now) RETURNING id
            """, null, ("ref", a.Reference.Trim()), ("auth", a.Authority.Trim()), ("date", a.ActDate.ToString("yyyy-MM-dd")),
            ("cams", JsonSerializer.Serialize(a.Cameras)), ("uses", JsonSerializer.Serialize(a.UseCases)), ("starts", Ms(a.Starts)), ("ends", Ms(a.Ends)),
            ("perim", a.Perimeter.Trim()), ("by", by), ("now", Ms(now)));
        var id = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
        return (await GetAsync(id, ct))!;
    }

    public async Task<Authorisation?> GetAsync(long id, CancellationToken ct = default) =>
        (await db.QueryAsync($"SELECT {Columns} FROM authorisations WHERE id = @id", Read, ct, ("id", id))).FirstOrDefault();

    public Task<List<Authorisation>> AllAsync(CancellationToken ct = default) =>
        db.QueryAsync($"SELECT {Columns} FROM authorisations ORDER BY starts_ms DESC, id DESC", Read, ct);

    /// <summary>Revokes an authorisation still unrevoked; null when there is none with this id.</summary>
    private async Task<Authorisation?> RevokeAsync(long id, string by, string reason, DateTimeOffset now, CancellationToken ct = default)
    {
        await db.ExecuteAsync("UPDATE authorisations SET revoked_ms = @t, revoked_by = @by, revoke_reason = @r WHERE id = @id AND revoked_ms IS NULL", ct,
            ("t", Ms(now)), ("by", by), ("r", reason), ("id", id));
        return await GetAsync(id, ct);
    }

    /// <summary>
    /// Revokes with a reason and records it in the audit log: from the console and from `vigie authorisation revoke`. Missing
    /// when there is no such authorisation; else the field at fault (reason, id) and why, or the authorisation revoked.
    /// </summary>
    public async Task<(Authorisation? Revoked, bool Missing, string? Field, string? Problem)> RevokeRecordedAsync(long id, string? reason, string by,
        AuditLog audit, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) return (null, false, "reason", "must say why the authorisation is revoked");
        if (await GetAsync(id, ct) is not { } existing) return (null, true, null, null);
        if (existing.Revoked is not null) return (null, false, "id", $"already revoked on {existing.Revoked:u}");
        var revoked = await RevokeAsync(id, by, reason.Trim(), DateTimeOffset.UtcNow, ct);
        await audit.AppendAsync(by, AuditActions.AuthorisationRevoke, $"authorisation:{id}", new { Reason = reason.Trim() }, ct);
        return (revoked, false, null, null);
    }

    private static Authorisation Read(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), DateOnly.Parse(r.GetString(3), System.Globalization.CultureInfo.InvariantCulture),
        JsonSerializer.Deserialize<string[]>(r.GetString(4)) ?? [], JsonSerializer.Deserialize<string[]>(r.GetString(5)) ?? [],
        FromMs(r.GetInt64(6)), FromMs(r.GetInt64(7)), r.GetString(8), r.GetString(9), FromMs(r.GetInt64(10)), NullableTime(r, 11),
        NullableString(r, 12), NullableString(r, 13));
}
