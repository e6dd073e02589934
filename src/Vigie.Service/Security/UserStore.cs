using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Vigie.Config;
using Vigie.Service.Storage;
using static Vigie.Service.Storage.Database;

namespace Vigie.Service.Security;

public sealed record UserRecord(long Id, string Name, string Role, DateTimeOffset Created, int FailedLogins, DateTimeOffset? LockedUntil,
    DateTimeOffset? Disabled);

/// <summary>A signed-in user, as a session token resolves.</summary>
public sealed record SessionUser(long Id, string Name, string Role);

public enum LoginOutcome { Ok, WrongCredentials, Locked, Disabled }

public sealed record LoginResult(LoginOutcome Outcome, string? Token, UserRecord? User, DateTimeOffset? LockedUntil);

/// <summary>
/// Users, their password hashes and sessions. Session tokens are random 256-bit values; only their
/// SHA-256 is stored, so a copy of the database opens no session.
/// </summary>
public sealed class UserStore(Database db, SecurityConfig settings)
{
    private const string UserColumns = "id, name, role, created_ms, failed_logins, locked_until_ms, disabled_ms";

    public async Task<UserRecord> CreateAsync(string name, string role, string password, DateTimeOffset now, CancellationToken ct = default)
    {
        if (!Roles.All.Contains(role)) throw new ArgumentException($"role: '{role}' is not one of {string.Join(", ", Roles.All)}");
        if (!IsValidName(name)) throw new ArgumentException("name: 1 to 64 letters, digits, '.', '-' or '_'");
        if (Passwords.Weakness(name, password) is { } weak) throw new ArgumentException($"password: {weak}");
        if (await FindAsync(name, ct) is not null) throw new ArgumentException($"name: user '{name}' already exists");
        await db.ExecuteAsync("INSERT INTO users (name, role, password_hash, created_ms) VALUES (@n, @r, @h, @t)", ct,
            ("n", name), ("r", role), ("h", Passwords.Hash(password)), ("t", Ms(now)));
        return (await FindAsync(name, ct))!;
    }

    public static bool IsValidName(string name) =>
        name.Length is >= 1 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    public async Task<UserRecord?> FindAsync(string name, CancellationToken ct = default) =>
        (await db.QueryAsync($"SELECT {UserColumns} FROM users WHERE name = @n", ReadUser, ct, ("n", name))).FirstOrDefault();

    public Task<List<UserRecord>> AllAsync(CancellationToken ct = default) =>
        db.QueryAsync($"SELECT {UserColumns} FROM users ORDER BY name", ReadUser, ct);

    public async Task<bool> AnyAdministratorAsync(CancellationToken ct = default) =>
        (await db.QueryAsync("SELECT COUNT(*) FROM users WHERE role = @r AND disabled_ms IS NULL", r => r.GetInt64(0), ct,
            ("r", Roles.Administrator)))[0] > 0;

    /// <summary>
    /// Checks a password. Each failure counts; after too many in a row the account is locked for a
    /// while, and a locked account refuses even the right password until then. Opens no session.
    /// </summary>
    public async Task<LoginResult> CheckPasswordAsync(string name, string password, DateTimeOffset now, CancellationToken ct = default)
    {
        var row = (await db.QueryAsync("SELECT id, password_hash FROM users WHERE name = @n", r => (Id: r.GetInt64(0), Hash: r.GetString(1)), ct,
            ("n", name))).FirstOrDefault();
        var passwordOk = Passwords.Verify(row.Hash ?? Passwords.Decoy, password);
        if (row.Hash is null) return new LoginResult(LoginOutcome.WrongCredentials, null, null, null);
        var user = (await FindAsync(name, ct))!;
        if (user.Disabled is not null) return new LoginResult(LoginOutcome.Disabled, null, user, null);
        if (user.LockedUntil > now) return new LoginResult(LoginOutcome.Locked, null, user, user.LockedUntil);
        if (!passwordOk)
        {
            var failures = user.FailedLogins + 1;
            DateTimeOffset? lockedUntil = failures >= settings.LockoutAttempts ? now + TimeSpan.FromMinutes(settings.LockoutMinutes) : null;
            await db.ExecuteAsync("UPDATE users SET failed_logins = @f, locked_until_ms = @l WHERE id = @id", ct,
                ("f", lockedUntil is null ? failures : 0), ("l", lockedUntil is { } l ? Ms(l) : null), ("id", user.Id));
            return lockedUntil is null
                ? new LoginResult(LoginOutcome.WrongCredentials, null, user, null)
                : new LoginResult(LoginOutcome.Locked, null, user, lockedUntil);
        }
        await db.ExecuteAsync("UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE id = @id", ct, ("id", user.Id));
        return new LoginResult(LoginOutcome.Ok, null, user with { FailedLogins = 0, LockedUntil = null }, null);
    }

    /// <summary>Checks the password as <see cref="CheckPasswordAsync"/> does and, when right, opens a session.</summary>
    public async Task<LoginResult> LoginAsync(string name, string password, DateTimeOffset now, CancellationToken ct = default)
    {
        var check = await CheckPasswordAsync(name, password, now, ct);
        if (check.Outcome != LoginOutcome.Ok) return check;
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await db.ExecuteAsync("INSERT INTO sessions (token_hash, user_id, created_ms, last_seen_ms, expires_ms) VALUES (@h, @u, @t, @t, @e)", ct,
            ("h", TokenHash(token)), ("u", check.User!.Id), ("t", Ms(now)), ("e", Ms(now + TimeSpan.FromHours(settings.SessionHours))));
        return check with { Token = token };
    }

    /// <summary>The user a session token belongs to, while the session is neither expired, idle too long, nor its user disabled.</summary>
    public async Task<SessionUser?> ResolveAsync(string token, DateTimeOffset now, CancellationToken ct = default)
    {
        var hash = TokenHash(token);
        var row = (await db.QueryAsync("""
            SELECT u.id, u.name, u.role, s.last_seen_ms, s.expires_ms FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = @h AND u.disabled_ms IS NULL
            """, r => (User: new SessionUser(r.GetInt64(0), r.GetString(1), r.GetString(2)), LastSeen: r.GetInt64(3), Expires: r.GetInt64(4)), ct,
            ("h", hash))).FirstOrDefault();
        if (row.User is null) return null;
        if (Ms(now) >= row.Expires || Ms(now) - row.LastSeen >= (long)TimeSpan.FromMinutes(settings.IdleMinutes).TotalMilliseconds)
        {
            await db.ExecuteAsync("DELETE FROM sessions WHERE token_hash = @h", ct, ("h", hash));
            return null;
        }
        // Written at most once a minute: the idle clock does not need finer steps than that.
        if (Ms(now) - row.LastSeen > 60_000)
            await db.ExecuteAsync("UPDATE sessions SET last_seen_ms = @t WHERE token_hash = @h", ct, ("t", Ms(now)), ("h", hash));
        return row.User;
    }

    public Task EndSessionAsync(string token, CancellationToken ct = default) =>
        db.ExecuteAsync("DELETE FROM sessions WHERE token_hash = @h", ct, ("h", TokenHash(token)));

    /// <summary>Changes role, disables or enables, unlocks or sets a new password; every change ends the user's sessions.</summary>
    public async Task<UserRecord?> UpdateAsync(string name, string? role, bool? disabled, bool unlock, string? password, DateTimeOffset now,
        CancellationToken ct = default)
    {
        if (await FindAsync(name, ct) is not { } user) return null;
        if (role is not null && !Roles.All.Contains(role)) throw new ArgumentException($"role: '{role}' is not one of {string.Join(", ", Roles.All)}");
        if (password is not null && Passwords.Weakness(name, password) is { } weak) throw new ArgumentException($"password: {weak}");
        await using var c = await db.ConnectAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        async Task Run(string sql, params (string, object?)[] args)
        {
            await using var cmd = Command(c, sql, tx, [.. args, ("id", user.Id)]);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        if (role is not null) await Run("UPDATE users SET role = @r WHERE id = @id", ("r", role));
        if (disabled is true && user.Disabled is null) await Run("UPDATE users SET disabled_ms = @t WHERE id = @id", ("t", Ms(now)));
        if (disabled is false) await Run("UPDATE users SET disabled_ms = NULL WHERE id = @id");
        if (unlock) await Run("UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE id = @id");
        if (password is not null) await Run("UPDATE users SET password_hash = @h WHERE id = @id", ("h", Passwords.Hash(password)));
        await Run("DELETE FROM sessions WHERE user_id = @id");
        await tx.CommitAsync(ct);
        return await FindAsync(name, ct);
    }

    private static UserRecord ReadUser(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), FromMs(r.GetInt64(3)),
        Convert.ToInt32(r.GetValue(4)), NullableTime(r, 5), NullableTime(r, 6));

    private static string TokenHash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
