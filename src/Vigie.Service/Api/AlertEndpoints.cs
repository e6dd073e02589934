using System.Data.Common;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigie.Analytics;
using Vigie.Service.Alerts;
using Vigie.Service.Evidence;
using Vigie.Service.Governance;
using Vigie.Service.Notifications;
using Vigie.Service.Security;
using Vigie.Service.Storage;

namespace Vigie.Service.Api;

/// <summary>Alerts: search, detail, evidence, review, and the live stream the console listens to. Every look at an alert or its evidence is audited.</summary>
public static class AlertEndpoints
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("alerts");
        api.MapGet("/alerts", Search).RequireAuthorization(Policies.ViewAlerts)
            .WithSummary("Search alerts, newest first (time range, camera, use case, review status); `before=ID` reads on after that alert.");
        api.MapGet("/alerts/stream", Stream).RequireAuthorization(Policies.ViewAlerts)
            .WithSummary("Server-sent events: 'alert' when raised, 'alert-updated' when its clip is ready, it ends or is reviewed.");
        api.MapGet("/alerts/{id:long}", Get).RequireAuthorization(Policies.ViewAlerts).WithSummary("One alert with all its review decisions.");
        api.MapGet("/alerts/{id:long}/snapshot", Snapshot).RequireAuthorization(Policies.ViewVideo)
            .WithSummary("The alert's snapshot (JPEG, people and faces blurred).");
        api.MapGet("/alerts/{id:long}/clip", Clip).RequireAuthorization(Policies.ViewVideo)
            .WithSummary("The alert's clip (H.264 MP4, people and faces blurred).");
        api.MapPost("/alerts/{id:long}/review", Review).RequireAuthorization(Policies.ReviewAlerts)
            .WithSummary("Confirm or dismiss an alert, as the signed-in operator; a dismissal needs a reason from /api/review-reasons.");
        api.MapGet("/review-reasons", () => DismissReasons.All).RequireAuthorization().WithSummary("The fixed list of reasons for dismissing an alert.");
        api.MapGet("/use-cases", () => EventKinds.All).RequireAuthorization().WithSummary("The eight use cases, as named in alerts.");
    }

    private static async Task<Results<Ok<IReadOnlyList<AlertView>>, ValidationProblem>> Search(AlertStore store, AuditLog audit, ClaimsPrincipal user,
        DateTimeOffset? from, DateTimeOffset? to, string? camera, string? kind, string? status, int? limit, long? before, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (kind is not null && !EventKinds.All.Contains(kind)) errors["kind"] = [$"'{kind}' is not one of {string.Join(", ", EventKinds.All)}"];
        if (status is not null && status is not (ReviewStatus.New or ReviewStatus.Confirmed or ReviewStatus.Dismissed))
            errors["status"] = [$"'{status}' is not one of new, confirmed, dismissed"];
        if (from > to) errors["to"] = ["must not be before 'from'"];
        if (limit is < 1 or > 1000) errors["limit"] = ["must be between 1 and 1000"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var query = new AlertQuery(from, to, NullIfEmpty(camera), kind, status, limit ?? 100, before);
        var alerts = await store.SearchAsync(query, ct);
        await audit.AppendAsync(user.Name(), AuditActions.AlertSearch, "alerts", new { query.From, query.To, query.Camera, query.Kind, query.Status, query.Before, Found = alerts.Count }, ct);
        return TypedResults.Ok<IReadOnlyList<AlertView>>(alerts.Select(AlertView.From).ToList());
    }

    private static async Task<Results<Ok<AlertDetail>, NotFound>> Get(long id, AlertStore store, AuditLog audit, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } alert) return TypedResults.NotFound();
        await audit.AppendAsync(user.Name(), AuditActions.AlertView, $"alert:{id}", null, ct);
        return TypedResults.Ok(new AlertDetail(AlertView.From(alert), await store.ReviewsAsync(id, ct)));
    }

    private static async Task<IResult> Snapshot(long id, AlertStore store, EvidenceRecorder evidence, AuditLog audit, ClaimsPrincipal user,
        CancellationToken ct) =>
        await EvidenceAsync(id, a => a.Snapshot, "image/jpeg", AuditActions.SnapshotView, store, evidence, audit, user, ct);

    private static async Task<IResult> Clip(long id, AlertStore store, EvidenceRecorder evidence, AuditLog audit, ClaimsPrincipal user,
        HttpContext http, CancellationToken ct)
    {
        // A browser fetches a clip in several byte ranges while it plays: one view is the first request.
        var continuing = http.Request.Headers.Range.ToString() is { Length: > 0 } range && !range.StartsWith("bytes=0-", StringComparison.Ordinal);
        return await EvidenceAsync(id, a => a.Clip, "video/mp4", continuing ? null : AuditActions.ClipView, store, evidence, audit, user, ct);
    }

    private static async Task<IResult> EvidenceAsync(long id, Func<AlertRecord, string?> file, string type, string? auditAction, AlertStore store,
        EvidenceRecorder evidence, AuditLog audit, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } alert || file(alert) is not { } relative || evidence.Existing(relative) is not { } full)
            return TypedResults.NotFound();
        if (auditAction is not null) await audit.AppendAsync(user.Name(), auditAction, $"alert:{id}", null, ct);
        return TypedResults.PhysicalFile(full, type, enableRangeProcessing: true);
    }

    private static async Task<Results<Ok<AlertView>, NotFound, ValidationProblem>> Review(long id, ReviewRequest request, AlertDesk desk,
        AuditLog audit, ClaimsPrincipal user, CancellationToken ct)
    {
        var errors = ValidateReview(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var reason = request.Decision == ReviewStatus.Dismissed ? request.Reason : NullIfEmpty(request.Reason);
        var note = NullIfEmpty(request.Note?.Trim());
        var record = await desk.ReviewAsync(id, request.Decision, reason, note, user.Name(), ct);
        if (record is null) return TypedResults.NotFound();
        await audit.AppendAsync(user.Name(), AuditActions.Review, $"alert:{id}", new { request.Decision, Reason = reason, Note = note }, ct);
        return TypedResults.Ok(AlertView.From(record));
    }

    internal static Dictionary<string, string[]> ValidateReview(ReviewRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.Decision is not (ReviewStatus.Confirmed or ReviewStatus.Dismissed))
            errors["decision"] = [$"'{r.Decision}' is not one of confirmed, dismissed"];
        if (r.Decision == ReviewStatus.Dismissed)
        {
            if (r.Reason is null || !DismissReasons.All.Contains(r.Reason))
                errors["reason"] = [$"a dismissal needs one of {string.Join(", ", DismissReasons.All)}"];
            else if (r.Reason == "other" && string.IsNullOrWhiteSpace(r.Note))
                errors["note"] = ["reason 'other' needs a note saying what it was"];
        }
        if (r.Note is { Length: > 2000 }) errors["note"] = ["must be at most 2000 characters"];
        return errors;
    }

    private static ServerSentEventsResult<string> Stream(AlertFeed feed, UserStore users, HttpContext http, CancellationToken ct) =>
        TypedResults.ServerSentEvents(Items(feed, users, (string)http.Items[SessionAuthentication.TokenItem]!, ct));

    private static async IAsyncEnumerable<SseItem<string>> Items(AlertFeed feed, UserStore users, string token, [EnumeratorCancellation] CancellationToken ct)
    {
        // The stream is one request that lasts for hours: before each item it asks again whether its session may still read
        // alerts, so that signing out, a disabled account, a changed role or an expired session end it too. While the database
        // cannot say (down, or slower than a second), the stream goes on, asking again half a minute later: it is then how
        // waiting alerts reach the operator, and they must not wait for the database's timeouts.
        var uncheckedUntil = DateTime.MinValue;
        async Task<bool> StillAllowedAsync()
        {
            if (DateTime.UtcNow < uncheckedUntil) return true;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                return await users.ResolveAsync(token, DateTimeOffset.UtcNow, limit.Token) is { } user && Policies.Allowed[Policies.ViewAlerts].Contains(user.Role);
            }
            catch (Exception e) when (e is DbException || e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                uncheckedUntil = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                return true;
            }
        }

        var items = feed.Subscribe();
        try
        {
            // A first item tells the browser the stream is open (and lets tests wait for it).
            yield return new SseItem<string>("{}", "ready");
            while (!ct.IsCancellationRequested)
            {
                FeedItem? item = null;
                try
                {
                    using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    heartbeat.CancelAfter(TimeSpan.FromSeconds(15));
                    item = await items.ReadAsync(heartbeat.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // Nothing for a while: a keep-alive below keeps proxies from closing the stream.
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                if (!await StillAllowedAsync())
                {
                    yield return new SseItem<string>("{}", "session-ended");
                    yield break;
                }
                yield return item is null
                    ? new SseItem<string>("{}", "ping")
                    : new SseItem<string>(JsonSerializer.Serialize(item.Alert, ApiJson.Options), item.Type);
            }
        }
        finally
        {
            feed.Unsubscribe(items);
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
