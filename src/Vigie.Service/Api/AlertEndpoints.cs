using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigie.Analytics;
using Vigie.Service.Alerts;
using Vigie.Service.Evidence;
using Vigie.Service.Notifications;
using Vigie.Service.Storage;

namespace Vigie.Service.Api;

/// <summary>Alerts: search, detail, evidence, review, and the live stream the console listens to.</summary>
public static class AlertEndpoints
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("alerts");
        api.MapGet("/alerts", Search).WithSummary("Search alerts, newest first (time range, camera, use case, review status).");
        api.MapGet("/alerts/stream", Stream).WithSummary("Server-sent events: 'alert' when raised, 'alert-updated' when its clip is ready, it ends or is reviewed.");
        api.MapGet("/alerts/{id:long}", Get).WithSummary("One alert with all its review decisions.");
        api.MapGet("/alerts/{id:long}/snapshot", Snapshot).WithSummary("The alert's snapshot (JPEG, people and faces blurred).");
        api.MapGet("/alerts/{id:long}/clip", Clip).WithSummary("The alert's clip (H.264 MP4, people and faces blurred).");
        api.MapPost("/alerts/{id:long}/review", Review).WithSummary("Confirm or dismiss an alert; a dismissal needs a reason from /api/review-reasons.");
        api.MapGet("/review-reasons", () => DismissReasons.All).WithSummary("The fixed list of reasons for dismissing an alert.");
        api.MapGet("/use-cases", () => EventKinds.All).WithSummary("The eight use cases, as named in alerts.");
    }

    private static async Task<Results<Ok<IReadOnlyList<AlertView>>, ValidationProblem>> Search(AlertStore store, DateTimeOffset? from,
        DateTimeOffset? to, string? camera, string? kind, string? status, int? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (kind is not null && !EventKinds.All.Contains(kind)) errors["kind"] = [$"'{kind}' is not one of {string.Join(", ", EventKinds.All)}"];
        if (status is not null && status is not (ReviewStatus.New or ReviewStatus.Confirmed or ReviewStatus.Dismissed))
            errors["status"] = [$"'{status}' is not one of new, confirmed, dismissed"];
        if (from > to) errors["to"] = ["must not be before 'from'"];
        if (limit is < 1 or > 1000) errors["limit"] = ["must be between 1 and 1000"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var alerts = await store.SearchAsync(new AlertQuery(from, to, NullIfEmpty(camera), kind, status, limit ?? 100), ct);
        return TypedResults.Ok<IReadOnlyList<AlertView>>(alerts.Select(AlertView.From).ToList());
    }

    private static async Task<Results<Ok<AlertDetail>, NotFound>> Get(long id, AlertStore store, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } alert) return TypedResults.NotFound();
        return TypedResults.Ok(new AlertDetail(AlertView.From(alert), await store.ReviewsAsync(id, ct)));
    }

    private static async Task<IResult> Snapshot(long id, AlertStore store, EvidenceRecorder evidence, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { Snapshot: { } file } ? EvidenceFile(evidence, file, "image/jpeg") : TypedResults.NotFound();

    private static async Task<IResult> Clip(long id, AlertStore store, EvidenceRecorder evidence, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { Clip: { } file } ? EvidenceFile(evidence, file, "video/mp4") : TypedResults.NotFound();

    private static IResult EvidenceFile(EvidenceRecorder evidence, string relative, string type)
    {
        var full = Path.GetFullPath(evidence.FullPath(relative));
        if (!full.StartsWith(Path.GetFullPath(evidence.DataFolder), StringComparison.Ordinal) || !File.Exists(full))
            return TypedResults.NotFound();
        return TypedResults.PhysicalFile(full, type, enableRangeProcessing: true);
    }

    private static async Task<Results<Ok<AlertView>, NotFound, ValidationProblem>> Review(long id, ReviewRequest request, AlertDesk desk,
        CancellationToken ct)
    {
        var errors = ValidateReview(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var reason = request.Decision == ReviewStatus.Dismissed ? request.Reason : NullIfEmpty(request.Reason);
        var record = await desk.ReviewAsync(id, request.Decision, reason, NullIfEmpty(request.Note?.Trim()), request.Reviewer.Trim(), ct);
        return record is null ? TypedResults.NotFound() : TypedResults.Ok(AlertView.From(record));
    }

    internal static Dictionary<string, string[]> ValidateReview(ReviewRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.Decision is not (ReviewStatus.Confirmed or ReviewStatus.Dismissed))
            errors["decision"] = [$"'{r.Decision}' is not one of confirmed, dismissed"];
        if (string.IsNullOrWhiteSpace(r.Reviewer)) errors["reviewer"] = ["must name who decides"];
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

    private static ServerSentEventsResult<string> Stream(AlertFeed feed, CancellationToken ct) => TypedResults.ServerSentEvents(Items(feed, ct));

    private static async IAsyncEnumerable<SseItem<string>> Items(AlertFeed feed, [EnumeratorCancellation] CancellationToken ct)
    {
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
