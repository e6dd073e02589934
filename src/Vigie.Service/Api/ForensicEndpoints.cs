using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigie.Forensics;
using Vigie.Service.Forensics;
using Vigie.Service.Governance;
using Vigie.Service.Security;
using Vigie.Video;

namespace Vigie.Service.Api;

/// <summary>Forensic search of indexed recordings: cases, track search, thumbnails, excerpts and synopses (people pixelated). Searches, excerpts and synopses are audited.</summary>
public static class ForensicEndpoints
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api/forensic").WithTags("forensic").RequireAuthorization(Policies.SearchRecordings);
        api.MapGet("/cases", (ForensicCases cases) => TypedResults.Ok(cases.List()))
            .WithSummary("Indexed cases (folders made by `vigie index` under service.forensic_folder), with their cameras, time span, zones and lines.");
        api.MapGet("/cases/{name}/tracks", Search)
            .WithSummary("Tracks by class, camera, time, zone and dwell, line and direction, heading, speed, colour of vehicles and objects; "
                + "200 at a time in time order, `after=ID` reading on after that track.");
        api.MapGet("/cases/{name}/missing", Missing)
            .WithSummary("Where the case's footage has no picture (a recorder that paused, time between two recordings of a camera), "
                + "for the same camera and time filters as a search: nothing found there proves nothing.");
        api.MapGet("/cases/{name}/tracks/{id:long}/thumbnail", Thumbnail).WithSummary("The track's thumbnail (JPEG, people pixelated).");
        api.MapGet("/cases/{name}/tracks/{id:long}/excerpt", Excerpt)
            .WithSummary("The moment in the recording (H.264 MP4, people pixelated), made on first request.");
        api.MapPost("/cases/{name}/synopses", StartSynopsis)
            .WithSummary("Starts making (or finds) the synopsis of the tracks the same filters as a search select (one camera), `length` long "
                + "(default 60s), people pixelated: where it stands (poll its address).");
        api.MapGet("/cases/{name}/synopses/{id}", SynopsisStatus).WithSummary("Where a synopsis stands: waiting, making (progress), ready (figures, video) or failed.");
        api.MapGet("/cases/{name}/synopses/{id}/video", PlaySynopsis).WithSummary("A synopsis made (H.264 MP4, people pixelated).");
        api.MapDelete("/cases/{name}/synopses/{id}", RemoveSynopsis)
            .WithSummary("Stops a synopsis being made (nothing of it is kept) or deletes one made; it can be asked for again.");
        api.MapGet("/cases/{name}/tracks/{id:long}/excerpt/unblurred", Unblurred).RequireAuthorization(Policies.LiftBlur)
            .WithSummary($"The same moment with nobody pixelated: supervisors only, with a reason (query `reason`, at least {MinReasonLength} characters); each lift is audited with its reason; never stored.");
    }

    private const int MinReasonLength = 10;

    private static async Task<IResult> Unblurred(string name, long id, string? reason, ForensicCases cases, AuditLog audit, ClaimsPrincipal user,
        CancellationToken ct)
    {
        var why = reason?.Trim() ?? "";
        if (why.Length < MinReasonLength)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["reason"] = [$"seeing people unblurred needs a reason of at least {MinReasonLength} characters (it is written in the audit log)"],
            });
        using var index = cases.Open(name);
        if (index?.Track(id) is not { } track) return TypedResults.NotFound();
        // Logged before anything is shown: a lift is on record even if the viewer goes away.
        await audit.AppendAsync(user.Name(), AuditActions.ForensicUnblur, $"case:{name}:track:{id}", new { Reason = why }, ct);
        try
        {
            return TypedResults.File(await cases.UnblurredExcerptAsync(index, track, ct), "video/mp4");
        }
        catch (VideoSourceException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
    }

    private static async Task<Results<Ok<IReadOnlyList<SearchHit>>, ValidationProblem, NotFound>> Search(string name, HttpRequest request,
        ForensicCases cases, AuditLog audit, ClaimsPrincipal user, CancellationToken ct)
    {
        using var index = cases.Open(name);
        if (index is null) return TypedResults.NotFound();
        var (query, problems) = ReadQuery(Fields(request), index, 200);
        if (QueryValue(request, "after") is { } after)
        {
            if (long.TryParse(after, out var id)) query = query with { After = id };
            else problems["after"] = [$"'{after}' is not a track number"];
        }
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);
        var hits = index.Search(query);
        await audit.AppendAsync(user.Name(), AuditActions.ForensicSearch, $"case:{name}",
            new { Query = request.QueryString.Value, Found = hits.Count }, ct);
        return TypedResults.Ok<IReadOnlyList<SearchHit>>(hits.Select(h => SearchHit.From(h,
            h.Thumbnail is null ? null : $"/api/forensic/cases/{Uri.EscapeDataString(name)}/tracks/{h.Id}/thumbnail")).ToList());
    }

    private static Results<Ok<IReadOnlyList<MissingFootage>>, ValidationProblem, NotFound> Missing(string name, HttpRequest request, ForensicCases cases)
    {
        using var index = cases.Open(name);
        if (index is null) return TypedResults.NotFound();
        var (query, problems) = ReadQuery(Fields(request), index, 1);
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);
        return TypedResults.Ok(index.Missing(query.Camera, query.From, query.To));
    }

    private static string? QueryValue(HttpRequest request, string key) =>
        request.Query[key] is { Count: > 0 } v && !string.IsNullOrWhiteSpace(v[0]) ? v[0] : null;

    /// <summary>The search filters of a request as typed.</summary>
    private static SearchFields Fields(HttpRequest request) =>
        new(request.Query.Keys.Where(k => k != "class" && QueryValue(request, k) is not null).ToDictionary(k => k, k => QueryValue(request, k)!),
            request.Query["class"].OfType<string>().ToList());

    /// <summary>The search filters of a request (times of day are on the day the case's footage starts), and every faulty field.</summary>
    private static (TrackQuery Query, Dictionary<string, string[]> Problems) ReadQuery(SearchFields fields, TrackIndex index, int limit)
    {
        var (query, problems) = fields.Read(index, limit);
        return (query, problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));
    }

    private static readonly TimeSpan DefaultSynopsisLength = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LongestSynopsis = TimeSpan.FromMinutes(10);

    private static async Task<IResult> StartSynopsis(string name, HttpRequest request, ForensicCases cases, CaseSynopses synopses, AuditLog audit, ClaimsPrincipal user,
        CancellationToken ct)
    {
        using var index = cases.Open(name);
        if (index is null) return TypedResults.NotFound();
        var search = Fields(request);
        var (query, errors) = ReadQuery(search, index, 10000);
        var length = DefaultSynopsisLength;
        try
        {
            if (QueryValue(request, "length") is { } text) length = QueryText.Duration(text, "length");
            if (length < TimeSpan.FromSeconds(5) || length > LongestSynopsis)
                errors["length"] = [$"length: between 5s and {LongestSynopsis.TotalMinutes:0}m"];
        }
        catch (FormatException e)
        {
            errors["length"] = [e.Message];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        IReadOnlyList<IndexedTrack> tracks;
        try
        {
            tracks = Synopsis.Select(index, new SynopsisRequest(query, new SynopsisTarget(length.TotalSeconds, null), "", PrivacyFilter.PeopleOnly));
        }
        catch (FormatException e)
        {
            // Nothing matches, or the results span several cameras: the filters must change.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [e.Message.StartsWith("camera", StringComparison.Ordinal) ? "camera" : "filters"] = [e.Message] });
        }
        await audit.AppendAsync(user.Name(), AuditActions.ForensicSynopsis, $"case:{name}", new { Query = request.QueryString.Value }, ct);
        var selection = string.Join('&', request.Query.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => $"{q.Key}={string.Join(',', q.Value.Order(StringComparer.Ordinal))}"));
        var state = synopses.Start(name, query, tracks, length, selection, search);
        return TypedResults.Accepted(SynopsisAddress(name, state.Id), SynopsisView(name, state));
    }

    private static IResult SynopsisStatus(string name, string id, CaseSynopses synopses) =>
        synopses.Status(name, id) is { } state ? TypedResults.Ok(SynopsisView(name, state)) : TypedResults.NotFound();

    private static string SynopsisAddress(string name, string id) => $"/api/forensic/cases/{Uri.EscapeDataString(name)}/synopses/{id}";

    private static object SynopsisView(string name, SynopsisState s) => new
    {
        s.Id, s.State, s.Progress, s.Problem, s.Summary?.Camera, s.Summary?.Objects, s.Summary?.SourceS, s.Summary?.SynopsisS, s.Summary?.Condensation,
        s.Summary?.OverlapFraction, s.Summary?.CollidingPairs, Video = s.State == SynopsisState.Ready ? SynopsisAddress(name, s.Id) + "/video" : null,
    };

    private static async Task<IResult> RemoveSynopsis(string name, string id, CaseSynopses synopses, AuditLog audit, ClaimsPrincipal user,
        CancellationToken ct)
    {
        if (!synopses.Remove(name, id)) return TypedResults.NotFound();
        await audit.AppendAsync(user.Name(), AuditActions.ForensicSynopsisRemove, $"case:{name}:synopsis:{id}", null, ct);
        return TypedResults.NoContent();
    }

    private static IResult PlaySynopsis(string name, string id, ForensicCases cases)
    {
        using var index = cases.Open(name);
        return index is not null && CaseSynopses.Video(index, id) is { } path
            ? TypedResults.PhysicalFile(path, "video/mp4", enableRangeProcessing: true)
            : TypedResults.NotFound();
    }

    private static IResult Thumbnail(string name, long id, ForensicCases cases)
    {
        using var index = cases.Open(name);
        if (index?.Track(id) is not { Thumbnail: { } thumbnail } || !File.Exists(Path.Combine(index.Folder, thumbnail))) return TypedResults.NotFound();
        return TypedResults.PhysicalFile(Path.Combine(index.Folder, thumbnail), "image/jpeg");
    }

    private static async Task<IResult> Excerpt(string name, long id, HttpRequest request, ForensicCases cases, AuditLog audit, ClaimsPrincipal user,
        CancellationToken ct)
    {
        using var index = cases.Open(name);
        if (index?.Track(id) is not { } track) return TypedResults.NotFound();
        string path;
        try
        {
            path = await cases.ExcerptAsync(index, track, ct);
        }
        catch (VideoSourceException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        // A player asks for the rest of the file in ranges: one audit entry per play.
        if (!request.Headers.Range.Any(r => r is not null && !r.StartsWith("bytes=0-", StringComparison.Ordinal)))
            await audit.AppendAsync(user.Name(), AuditActions.ForensicExcerpt, $"case:{name}:track:{id}", null, ct);
        return TypedResults.PhysicalFile(path, "video/mp4", enableRangeProcessing: true);
    }
}
