using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Vigie.Service.Api;

/// <summary>
/// A request whose parameters cannot be read (`limit=abc`, a date that is not one) is answered 400 with the reason, which
/// names the parameter and the value, as every other refusal of the API does: the framework alone answers an empty 400.
/// </summary>
public sealed class BadRequestDetails(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad) return false;
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = bad.StatusCode, Title = "The request cannot be read.", Detail = bad.Message },
        });
    }
}
