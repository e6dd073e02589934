using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Vigie.Config;

namespace Vigie.Service.Security;

/// <summary>
/// Sign-ins share a bucket of password checks: each costs about 75 ms of a core (the hash is slow on purpose), and anyone
/// who reaches the port may ask for them, so a flood would otherwise take the cores the cameras are analysed on (measured:
/// 8 clients signing in wrongly without pause took 1.4 cores and a sixth of the demo camera's frames). Two seconds' worth
/// may come at once; more wait their turn up to two seconds, then are refused with 429 and when to try again.
/// </summary>
public static class SignInLimit
{
    public const string Policy = "sign-in";

    public static IServiceCollection AddSignInLimit(this IServiceCollection services, SecurityConfig security)
    {
        var burst = Math.Max(1, (int)Math.Ceiling(security.SignInsPerSecond * 2));
        var every = TimeSpan.FromSeconds(1 / security.SignInsPerSecond);
        return services.AddRateLimiter(o =>
        {
            o.AddPolicy(Policy, _ => RateLimitPartition.GetTokenBucketLimiter("all", _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = every,
                QueueLimit = burst,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            }));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(2);
                context.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return new ValueTask(Results.Problem("too many sign-in attempts right now; try again in a few seconds",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext));
            };
        });
    }
}
