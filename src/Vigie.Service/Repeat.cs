namespace Vigie.Service;

/// <summary>Work a background service repeats until the service stops; a failed round is reported and the next one comes anyway.</summary>
public static class Repeat
{
    /// <param name="atOnce">Whether the first round runs at once rather than after the first period.</param>
    public static async Task EveryAsync(TimeSpan period, bool atOnce, Func<CancellationToken, Task> round, Action<Exception> failed,
        CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            if (atOnce) await RoundAsync();
            while (await timer.WaitForNextTickAsync(stoppingToken)) await RoundAsync();
        }
        catch (OperationCanceledException)
        {
            // Service stopping.
        }

        async Task RoundAsync()
        {
            try
            {
                await round(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed(e);
            }
        }
    }
}
