using Microsoft.AspNetCore.Http;

namespace Vigie.Service.Security;

/// <summary>
/// Headers every response carries. What the API returns (pictures and video of people, alerts, the audit log) is kept
/// by no cache, the browser's own on disk included: a supervision centre's workstations are shared between shifts, so
/// nothing seen must outlive its session there (an unblurred excerpt would, with the reason given for it), and each
/// view must be a request the audit log records rather than a copy shown again from the cache. The console's own
/// files are checked again at each load, so an upgrade reaches every browser at once. No other site may frame the
/// console or receive its addresses, and its pages load nothing from elsewhere.
/// </summary>
public static class ResponseHeaders
{
    public const string ConsolePolicy =
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <remarks>The API's one page, the review report, has its style inline and its plots as data addresses.</remarks>
    public const string ApiPolicy =
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Sets the headers when the response starts, so error pages written after a failure carry them too.</summary>
    public static Task AddAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(() =>
        {
            Set(context.Request.Path, context.Response.Headers);
            return Task.CompletedTask;
        });
        return next(context);
    }

    public static void Set(PathString path, IHeaderDictionary headers)
    {
        var api = path.StartsWithSegments("/api");
        headers.CacheControl = api ? "no-store" : "no-cache";
        headers.ContentSecurityPolicy = api ? ApiPolicy : ConsolePolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
    }
}
