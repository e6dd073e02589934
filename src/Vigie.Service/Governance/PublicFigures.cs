using Vigie.Service.Cameras;
using Vigie.Service.Storage;

namespace Vigie.Service.Governance;

/// <summary>
/// The public page's figures. Anyone may ask for them without signing in, and counting a year of alerts goes through every
/// one of them (0.1 s of a core for 300,000): the monthly counts are made at most once a minute, whoever asks and however
/// often, so that the public page cannot be used to take the cores from the cameras. The cameras and their acts are read
/// at each request (a few rows), so a revoked authorisation leaves the page at once.
/// </summary>
public sealed class PublicFigures(CameraSupervisor cameras, AuthorisationStore authorisations, AlertStore alerts, ServiceSettings settings)
{
    private static readonly TimeSpan CountsKept = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _counting = new(1);
    private (DateTimeOffset Made, IReadOnlyList<AlertCount> Counts)? _counts;

    public async Task<Transparency> ReadAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var counts = await CountsAsync(now, ct);
        return Transparency.Build(now, settings.Config.TimeZone, cameras.CameraNames, await authorisations.AllAsync(ct), counts);
    }

    private async Task<IReadOnlyList<AlertCount>> CountsAsync(DateTimeOffset now, CancellationToken ct)
    {
        // One count at a time: requests arriving meanwhile take its result rather than counting again.
        await _counting.WaitAsync(ct);
        try
        {
            if (_counts is { } kept && now - kept.Made < CountsKept) return kept.Counts;
            var since = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-11);
            var counts = await alerts.CountAsync(since, now, ct);
            _counts = (now, counts);
            return counts;
        }
        finally
        {
            _counting.Release();
        }
    }
}
