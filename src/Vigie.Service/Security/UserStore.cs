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
    /// Checks a password from an address. Failures count per account and address: after lockout_attempts in a row from one
    /// address the account is locked there for a while (refusing even the right password), while its user can still sign
    /// in from their own workstation: anyone could otherwise lock every operator out with a few wrong passwords. Ten times
    /// as many failures from anywhere, many addresses guessing together, lock the account everywhere. Opens no session.
    /// </summary>
    public async Task<LoginResult> CheckPasswordAsync(string name, string password, string address, DateTimeOffset now, CancellationToken ct = default)
    {
        var row = (await db.QueryAsync("SELECT id, password_hash FROM users WHERE name = @n", r => (Id: r.GetInt64(0), Hash: r.GetString(1)), ct,
            ("n", name))).FirstOrDefault();
        var passwordOk = Passwords.Verify(row.Hash ?? Passwords.Decoy, password);
        if (row.Hash is null) return new LoginResult(LoginOutcome.WrongCredentials, null, null, null);
        var user = (await FindAsync(name, ct))!;
        if (user.Disabled is not null) return new LoginResult(LoginOutcome.Disabled, null, user, null);
        if (user.LockedUntil > now) return new LoginResult(LoginOutcome.Locked, null, user, user.LockedUntil);
        var here = (await db.QueryAsync("SELECT failures, locked_until_ms FROM login_failures WHERE user_id = @u AND address = @a",
            r => (Failures: Convert.ToInt32(r.GetValue(0)), LockedUntil: NullableTime(r, 1)), ct, ("u", user.Id), ("a", address))).FirstOrDefault();
        if (here.LockedUntil > now) return new LoginResult(LoginOutcome.Locked, null, user, here.LockedUntil);
        if (!passwordOk)
        {
            var lockFor = TimeSpan.FromMinutes(settings.LockoutMinutes);
            var failuresHere = here.Failures + 1;
            DateTimeOffset? lockedHere = failuresHere >= settings.LockoutAttempts ? now + lockFor : null;
            var failures = user.FailedLogins + 1;
            DateTimeOffset? lockedEverywhere = failures >= settings.LockoutAttempts * AccountWideFactor ? now + lockFor : null;
            await db.ExecuteAsync("""
                INSERT INTO login_failures (user_id, address, failures, locked_until_ms, last_ms) VALUES (@u, @a, @f, @l, @t)
                ON CONFLICT (user_id, address) DO UPDATE SET failures = @f, locked_until_ms = @l, last_ms = @t
                """, ct, ("u", user.Id), ("a", address), ("f", lockedHere is null ? failuresHere : 0), ("l", lockedHere is { } l ? Ms(l) : null),
                ("t", Ms(now)));
            // Addresses that failed once and never came back are forgotten after a day.
            await db.ExecuteAsync("DELETE FROM login_failures WHERE last_ms < @old AND (locked_until_ms IS NULL OR locked_until_ms < @t)", ct,
                ("old", Ms(now - TimeSpan.FromDays(1))), ("t", Ms(now)));
            await db.ExecuteAsync("UPDATE users SET failed_logins = @f, locked_until_ms = @l WHERE id = @id", ct,
                ("f", lockedEverywhere is null ? failures : 0), ("l", lockedEverywhere is { } e ? Ms(e) : null), ("id", user.Id));
            return (lockedEverywhere ?? lockedHere) is { } until
                ? new LoginResult(LoginOutcome.Locked, null, user, until)
                : new LoginResult(LoginOutcome.WrongCredentials, null, user, null);
        }
        await db.ExecuteAsync("DELETE FROM login_failures WHERE user_id = @u AND address = @a", ct, ("u", user.Id), ("a", address));
        await db.ExecuteAsync("UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE id = @id", ct, ("id", user.Id));
        return new LoginResult(LoginOutcome.Ok, null, user with { FailedLogins = 0, LockedUntil = null }, null);
    }

    /// <summary>How many times lockout_attempts, from any addresses, lock an account everywhere.</summary>
    public const int AccountWideFactor = 10;

    /// <summary>Checks the password as <see cref="CheckPasswordAsync"/> does and, when right, opens a session.</summary>
    public async Task<LoginResult> LoginAsync(string name, string password, string address, DateTimeOffset now, CancellationToken ct = default)
    {
        var check = await CheckPasswordAsync(name, password, address, now, ct);
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
        if (unlock)
        {
            await Run("UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE id = @id");
            await Run("DELETE FROM login_failures WHERE user_id = @id");
        }
        if (password is not null) await Run("UPDATE users SET password_hash = @h WHERE id = @id", ("h", Passwords.Hash(password)));
        await Run("DELETE FROM sessions WHERE user_id = @id");
        await tx.CommitAsync(ct);
        return await FindAsync(name, ct);
    }

    private static UserRecord ReadUser(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), FromMs(r.GetInt64(3)),
        Convert.ToInt32(r.GetValue(4)), NullableTime(r, 5), NullableTime(r, 6));

    private static string TokenHash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
