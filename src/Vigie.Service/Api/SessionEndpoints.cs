using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigie.Service.Governance;
using Vigie.Service.Security;

namespace Vigie.Service.Api;

public sealed record LoginRequest(string Name, string Password);

/// <summary>
/// The signed-in user; the token is only returned at sign-in (the console keeps it in an HttpOnly cookie instead). The
/// site's time zone when the configuration names one (`time_zone`): the console shows and reads times on it, as the
/// evidence is stamped, whatever the browser's own zone.
/// </summary>
/// <param name="IdleMinutes">After this long without input, consoles other than operators' sign themselves out.</param>
public sealed record SessionView(string Name, string Role, string? Token, string? TimeZone, double IdleMinutes);

public sealed record PasswordChangeRequest(string Current, string New);

/// <summary>Sign-in, sign-out, who am I, and changing one's own password.</summary>
public static class SessionEndpoints
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api/session").WithTags("session");
        api.MapPost("", Login).AllowAnonymous().RequireRateLimiting(SignInLimit.Policy)
            .WithSummary("Sign in with name and password: sets the session cookie and returns a token usable as 'Authorization: Bearer'. Too many failures lock the account; too many sign-ins at once are answered 429.");
        api.MapGet("", (ClaimsPrincipal user, ServiceSettings settings) =>
                new SessionView(user.Name(), user.FindFirstValue(ClaimTypes.Role)!, null, settings.Config.TimeZone,
                    settings.Config.Service.Security.IdleMinutes))
            .RequireAuthorization().WithSummary("The signed-in user and their role.");
        api.MapDelete("", Logout).RequireAuthorization().WithSummary("Sign out: ends this session (idle=true: the console did so after idle_minutes without input).");
        api.MapPost("/password", ChangePassword).RequireAuthorization().WithSummary("Change one's own password (ends one's sessions).");
    }

    private static async Task<Results<Ok<SessionView>, UnauthorizedHttpResult, ProblemHttpResult>> Login(LoginRequest request, UserStore users,
        AuditLog audit, HttpContext http, ServiceSettings settings, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var address = AddressOf(http);
        var result = await users.LoginAsync(request.Name ?? "", request.Password ?? "", address, now, ct);
        var from = new { Address = address };
        switch (result.Outcome)
        {
            case LoginOutcome.Ok:
                await audit.AppendAsync(result.User!.Name, AuditActions.Login, $"user:{result.User.Name}", from, ct);
                http.Response.Cookies.Append(SessionEndpointsCookie.Name, result.Token!, SessionEndpointsCookie.Options(http.Request.IsHttps));
                return TypedResults.Ok(new SessionView(result.User.Name, result.User.Role, result.Token, settings.Config.TimeZone,
                    settings.Config.Service.Security.IdleMinutes));
            case LoginOutcome.Locked:
                await audit.AppendAsync("anonymous", AuditActions.LoginLocked, $"user:{request.Name}", new { from.Address, result.LockedUntil }, ct);
                return TypedResults.Problem($"the account is locked until {result.LockedUntil:u} after repeated failures; an administrator can unlock it",
                    statusCode: StatusCodes.Status423Locked);
            default:
                await audit.AppendAsync("anonymous", AuditActions.LoginFailed, $"user:{request.Name}",
                    new { from.Address, Reason = result.Outcome == LoginOutcome.Disabled ? "disabled" : "wrong name or password" }, ct);
                return TypedResults.Unauthorized();
        }
    }

    /// <summary>The user's address: the connection's, or the one a trusted reverse proxy names.</summary>
    private static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "";

    private static async Task<NoContent> Logout(bool? idle, HttpContext http, UserStore users, AuditLog audit, ClaimsPrincipal user, CancellationToken ct)
    {
        if (http.Items[SessionAuthentication.TokenItem] is string token) await users.EndSessionAsync(token, ct);
        http.Response.Cookies.Delete(SessionEndpointsCookie.Name);
        await audit.AppendAsync(user.Name(), AuditActions.Logout, $"user:{user.Name()}", idle is true ? "no input for idle_minutes" : null, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem>> ChangePassword(PasswordChangeRequest request, ClaimsPrincipal user, UserStore users,
        AuditLog audit, HttpContext http, CancellationToken ct)
    {
        var name = user.Name();
        var check = await users.CheckPasswordAsync(name, request.Current ?? "", AddressOf(http), DateTimeOffset.UtcNow, ct);
        if (check.Outcome != LoginOutcome.Ok) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["current"] = ["is not your password"] });
        if (Passwords.Weakness(name, request.New ?? "") is { } weak) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["new"] = [weak] });
        await users.UpdateAsync(name, null, null, false, request.New, DateTimeOffset.UtcNow, ct);
        await audit.AppendAsync(name, AuditActions.PasswordChange, $"user:{name}", null, ct);
        return TypedResults.NoContent();
    }
}

internal static class SessionEndpointsCookie
{
    public const string Name = SessionAuthentication.Cookie;

    /// <summary>Out of reach of scripts, sent only to this site.</summary>
    public static CookieOptions Options(bool https) => new() { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = https, Path = "/" };
}
