using System.Data.Common;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vigie.Service.Security;

/// <summary>
/// Signs requests in from a session token: the console's HttpOnly cookie, or an
/// `Authorization: Bearer` header for scripts. The token is checked against the sessions table on
/// every request, so logging out, disabling a user or changing their role takes effect at once.
/// </summary>
public sealed class SessionAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    UserStore users) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "vigie-session";
    public const string Cookie = "vigie_session";
    public const string TokenItem = "vigie-token";

    private const string SessionsUnchecked = "vigie-sessions-unchecked";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (TokenOf(Request) is not { } token) return AuthenticateResult.NoResult();
        SessionUser? user;
        try
        {
            user = await users.ResolveAsync(token, DateTimeOffset.UtcNow, Context.RequestAborted);
        }
        catch (DbException e)
        {
            // The database is unavailable: public endpoints (health, the transparency page) still answer a signed-in
            // browser, and the others say the service is unavailable rather than that the session ended.
            Context.Items[SessionsUnchecked] = true;
            return AuthenticateResult.Fail($"the session cannot be checked: {e.Message}");
        }
        if (user is null) return AuthenticateResult.Fail("the session has ended or is unknown");
        Context.Items[TokenItem] = token;
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role), new Claim(ClaimTypes.NameIdentifier, user.Id.ToString())],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (!Context.Items.ContainsKey(SessionsUnchecked)) return base.HandleChallengeAsync(properties);
        Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        Response.Headers.RetryAfter = "5";
        return Task.CompletedTask;
    }

    public static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header[7..].Trim();
        return request.Cookies.TryGetValue(Cookie, out var cookie) && !string.IsNullOrEmpty(cookie) ? cookie : null;
    }
}

public static class UserClaims
{
    public static string Name(this ClaimsPrincipal user) => user.Identity?.Name ?? throw new InvalidOperationException("no signed-in user");
}
