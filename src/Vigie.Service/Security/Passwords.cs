using Microsoft.AspNetCore.Identity;

namespace Vigie.Service.Security;

/// <summary>
/// Password hashing with ASP.NET Core Identity's hasher (PBKDF2-HMAC-SHA512, random salt, versioned
/// format), at OWASP's recommended work factor, and the rules a new password must meet.
/// </summary>
public static class Passwords
{
    public const int MinLength = 12;

    private static readonly PasswordHasher<string> Hasher = new(Microsoft.Extensions.Options.Options.Create(
        new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3, IterationCount = 210_000 }));

    public static string Hash(string password) => Hasher.HashPassword("", password);

    public static bool Verify(string hash, string password) => Hasher.VerifyHashedPassword("", hash, password) != PasswordVerificationResult.Failed;

    /// <summary>A hash to check against when the user does not exist, so that a wrong name takes as long as a wrong password.</summary>
    public static readonly string Decoy = Hash(Guid.NewGuid().ToString());

    /// <summary>Why this password is refused, or null when it is acceptable.</summary>
    public static string? Weakness(string user, string password)
    {
        if (password.Length < MinLength) return $"must be at least {MinLength} characters";
        if (password.Contains(user, StringComparison.OrdinalIgnoreCase)) return "must not contain the user name";
        if (password.Distinct().Count() < 5) return "must use at least 5 different characters";
        return null;
    }
}
