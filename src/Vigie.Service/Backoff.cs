namespace Vigie.Service;

/// <summary>Exponential backoff without jitter: initial·2^attempt, capped. Shared by camera reconnection and notifications.</summary>
public static class Backoff
{
    public static TimeSpan Delay(int attempt, double initialS, double maxS) =>
        TimeSpan.FromSeconds(Math.Min(maxS, initialS * Math.Pow(2, Math.Min(attempt, 30))));
}
