using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigie.Service.Governance;
using Vigie.Service.Security;

namespace Vigie.Service.Api;

public sealed record UserView(string Name, string Role, DateTimeOffset Created, int FailedLogins, DateTimeOffset? LockedUntil, DateTimeOffset? Disabled)
{
    public static UserView From(UserRecord u) => new(u.Name, u.Role, u.Created, u.FailedLogins, u.LockedUntil, u.Disabled);
}

public sealed record NewUserRequest(string Name, string Role, string Password);

/// <summary>Any field left out stays as it is.</summary>
public sealed record UserChangeRequest(string? Role, bool? Disabled, bool? Unlock, string? Password);

/// <summary>Users and their roles; administrators only. Users are disabled, never deleted, so the audit log keeps its meaning.</summary>
public static class UserEndpoints
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api/users").WithTags("users").RequireAuthorization(Policies.ManageUsers);
        api.MapGet("", async (UserStore users, CancellationToken ct) => (await users.AllAsync(ct)).Select(UserView.From).ToList())
            .WithSummary("Every user with role, lockout and whether disabled.");
        api.MapPost("", Create).WithSummary("Create a user with a role and an initial password.");
        api.MapPatch("/{name}", Change).WithSummary("Change a user's role, disable or enable, unlock, or set a new password; ends their sessions.");
    }

    private static async Task<Results<Created<UserView>, ValidationProblem>> Create(NewUserRequest request, UserStore users, AuditLog audit,
        ClaimsPrincipal admin, CancellationToken ct)
    {
        try
        {
            var user = await users.CreateAsync(request.Name ?? "", request.Role ?? "", request.Password ?? "", DateTimeOffset.UtcNow, ct);
            await audit.AppendAsync(admin.Name(), AuditActions.UserCreate, $"user:{user.Name}", new { user.Role }, ct);
            return TypedResults.Created($"/api/users/{user.Name}", UserView.From(user));
        }
        catch (ArgumentException e)
        {
            return Invalid(e);
        }
    }

    private static async Task<Results<Ok<UserView>, NotFound, ValidationProblem>> Change(string name, UserChangeRequest request, UserStore users,
        AuditLog audit, ClaimsPrincipal admin, CancellationToken ct)
    {
        if (name == admin.Name() && (request.Disabled is true || request.Role is { } r && r != Roles.Administrator))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                { ["name"] = ["administrators cannot disable or demote themselves; another administrator must"] });
        try
        {
            return await ApplyChangeAsync(users, audit, admin.Name(), name, request, ct) is { } user ? TypedResults.Ok(UserView.From(user)) : TypedResults.NotFound();
        }
        catch (ArgumentException e)
        {
            return Invalid(e);
        }
    }

    /// <summary>
    /// A change to a user, recorded in the audit log (without the password): from this page and from `vigie user change`.
    /// Null when there is no such user; an invalid role or password throws ArgumentException naming the field.
    /// </summary>
    public static async Task<UserRecord?> ApplyChangeAsync(UserStore users, AuditLog audit, string actor, string name, UserChangeRequest request,
        CancellationToken ct)
    {
        var user = await users.UpdateAsync(name, request.Role, request.Disabled, request.Unlock is true, request.Password, DateTimeOffset.UtcNow, ct);
        if (user is not null)
            await audit.AppendAsync(actor, AuditActions.UserChange, $"user:{name}",
                new { request.Role, request.Disabled, request.Unlock, PasswordReset = request.Password is not null }, ct);
        return user;
    }

    /// <summary>The store's messages start with the field name: "field: what is wrong".</summary>
    internal static ValidationProblem Invalid(ArgumentException e)
    {
        var message = e.Message;
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { [message[..colon]] = [message[(colon + 2)..]] })
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = [message] });
    }
}
