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

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (TokenOf(Request) is not { } token) return AuthenticateResult.NoResult();
        if (await users.ResolveAsync(token, DateTimeOffset.UtcNow, Context.RequestAborted) is not { } user)
            return AuthenticateResult.Fail("the session has ended or is unknown");
        Context.Items[TokenItem] = token;
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role), new Claim(ClaimTypes.NameIdentifier, user.Id.ToString())],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
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
