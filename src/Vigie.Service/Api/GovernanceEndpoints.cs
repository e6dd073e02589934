using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigie.Service.Cameras;
using Vigie.Service.Governance;
using Vigie.Service.Security;
using Vigie.Service.Storage;

namespace Vigie.Service.Api;

public sealed record RevokeRequest(string Reason);

/// <summary>Authorisations, the audit log, the review report, and the public transparency figures.</summary>
public static class GovernanceEndpoints
{
    public static void Map(WebApplication app)
    {
        var authorisations = app.MapGroup("/api/authorisations").WithTags("governance");
        authorisations.MapGet("", async (AuthorisationStore store, CancellationToken ct) => await store.AllAsync(ct))
            .RequireAuthorization(Policies.ReadAuthorisations).WithSummary("Every authorisation recorded, in force or not, with revocations.");
        authorisations.MapPost("", Create).RequireAuthorization(Policies.ManageAuthorisations)
            .WithSummary("Record a legal act: cameras, use cases, period and perimeter. Analysis starts by itself when it comes into force.");
        authorisations.MapPost("/{id:long}/revoke", Revoke).RequireAuthorization(Policies.ManageAuthorisations)
            .WithSummary("Revoke an authorisation with a reason: the analysis it allowed stops at once.");

        var audit = app.MapGroup("/api/audit").WithTags("governance").RequireAuthorization(Policies.ReadAudit);
        audit.MapGet("", ReadAudit).WithSummary("Audit log entries in order, optionally of one action or actor: those after a sequence number (from "
            + "the first), or with `before`, the `limit` entries just before it (before=0: the newest), for reading back from the end.");
        audit.MapGet("/verify", async (AuditLog log, CancellationToken ct) => await log.VerifyAsync(ct))
            .WithSummary("Checks the whole hash chain and reports where it is broken (same as `vigie audit verify`).");

        var reports = app.MapGroup("/api/reports").WithTags("governance").RequireAuthorization(Policies.ReadReports);
        reports.MapGet("/reviews", async (DateTimeOffset? from, DateTimeOffset? to, AlertStore alerts, AuditLog log, ClaimsPrincipal user, CancellationToken ct) =>
                await ReportAsync(from, to, alerts, log, user, ct) is var (report, problem) && problem is null ? Results.Ok(report) : problem!)
            .WithSummary("Per use case over a period (default: the last 30 days): alerts, confirmed, dismissed by reason, precision.");
        reports.MapGet("/reviews.html", async (DateTimeOffset? from, DateTimeOffset? to, AlertStore alerts, AuditLog log, ClaimsPrincipal user, CancellationToken ct) =>
                await ReportAsync(from, to, alerts, log, user, ct) is var (report, problem) && problem is null
                    ? Results.Content(report!.ToHtml(DateTimeOffset.UtcNow), "text/html; charset=utf-8")
                    : problem!)
            .WithSummary("The same report as an HTML page with plots.");

        app.MapGet("/api/public/transparency", (PublicFigures figures, CancellationToken ct) => figures.ReadAsync(ct)).AllowAnonymous().WithTags("public")
            .WithSummary("For the public, without sign-in: cameras under VSA, their authorised use cases and periods, monthly alert counts (made at most once a minute) and confirmation rates.");
    }

    private static async Task<Results<Created<Authorisation>, ValidationProblem>> Create(NewAuthorisation request, AuthorisationStore store,
        CameraSupervisor cameras, AuditLog audit, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = request.Validate(cameras.CameraNames);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var created = await store.CreateAsync(request, user.Name(), DateTimeOffset.UtcNow, ct);
        await audit.AppendAsync(user.Name(), AuditActions.AuthorisationCreate, $"authorisation:{created.Id}", created, ct);
        await cameras.AuthorisationsChangedAsync(ct);
        return TypedResults.Created($"/api/authorisations/{created.Id}", created);
    }

    private static async Task<Results<Ok<Authorisation>, NotFound, ValidationProblem>> Revoke(long id, RevokeRequest request, AuthorisationStore store,
        CameraSupervisor cameras, AuditLog audit, ClaimsPrincipal user, CancellationToken ct)
    {
        var (revoked, missing, field, problem) = await store.RevokeRecordedAsync(id, request.Reason, user.Name(), audit, ct);
        if (missing) return TypedResults.NotFound();
        if (revoked is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field!] = [problem!] });
        await cameras.AuthorisationsChangedAsync(ct);
        return TypedResults.Ok(revoked);
    }

    private static async Task<IReadOnlyList<AuditEntry>> ReadAudit(long? after, long? before, int? limit, string? action, string? actor, AuditLog log,
        ClaimsPrincipal user, CancellationToken ct)
    {
        action = string.IsNullOrWhiteSpace(action) ? null : action.Trim();
        actor = string.IsNullOrWhiteSpace(actor) ? null : actor.Trim();
        var entries = before is { } end
            ? await log.ReadBeforeAsync(end > 0 ? end : null, limit ?? 500, action, actor, ct)
            : await log.ReadAsync(after ?? 0, limit ?? 500, action, actor, ct);
        await log.AppendAsync(user.Name(), AuditActions.AuditRead, "audit", new { After = before is null ? after ?? 0 : (long?)null, Before = before, action, actor,
            Read = entries.Count }, ct);
        return entries;
    }

    private static async Task<(ReviewReport? Report, IResult? Problem)> ReportAsync(DateTimeOffset? from, DateTimeOffset? to, AlertStore alerts,
        AuditLog log, ClaimsPrincipal user, CancellationToken ct)
    {
        var end = to ?? DateTimeOffset.UtcNow;
        var start = from ?? end.AddDays(-30);
        if (start >= end)
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["must be after 'from'"] }));
        var report = ReviewReport.Build(start, end, await alerts.CountAsync(start, end, ct));
        await log.AppendAsync(user.Name(), AuditActions.ReportView, "report:reviews", new { From = start, To = end }, ct);
        return (report, null);
    }
}
