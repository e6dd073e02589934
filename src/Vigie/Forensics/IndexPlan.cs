using Vigie.Config;

namespace Vigie.Forensics;

/// <summary>
/// One core's share of the work: a stretch of one recording. It decodes from <see cref="DecodeFrom"/>
/// so the rules and the tracker have warmed up by <see cref="From"/>; what it finds before
/// <see cref="From"/> belongs to the piece before it.
/// </summary>
public sealed record IndexPiece(int Recording, int Part, TimeSpan From, TimeSpan To, TimeSpan DecodeFrom)
{
    public TimeSpan Length => To - From;
}

/// <summary>How recordings are shared among cores: whole files when there are enough, else each file cut in time.</summary>
public static class IndexPlan
{
    /// <summary>Pieces shorter than this (or than four warm-ups) would spend more time warming up than they save.</summary>
    public static readonly TimeSpan MinPiece = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<IndexPiece> Split(IReadOnlyList<TimeSpan> durations, int workers, TimeSpan warmUp)
    {
        var total = durations.Aggregate(TimeSpan.Zero, (a, d) => a + d);
        var pieces = new List<IndexPiece>();
        var minPiece = TimeSpan.FromTicks(Math.Max(MinPiece.Ticks, 4 * warmUp.Ticks));
        for (int r = 0; r < durations.Count; r++)
        {
            var d = durations[r];
            // Each file gets its fair share of the workers, so one long file among short ones still spreads.
            var share = total > TimeSpan.Zero ? (int)Math.Round(workers * (d / total)) : 1;
            var parts = Math.Clamp(share, 1, Math.Max(1, (int)(d / minPiece)));
            // Every piece but the first also decodes its warm-up: the first gets that much more of its own
            // stretch, so that all decode as long and finish together.
            var decoded = (d + (parts - 1) * warmUp) / parts;
            var from = TimeSpan.Zero;
            for (int p = 0; p < parts; p++)
            {
                var decodeFrom = p == 0 ? TimeSpan.Zero : from - warmUp;
                var to = p == parts - 1 ? d : decodeFrom + decoded;
                pieces.Add(new IndexPiece(r, p, from, to, decodeFrom));
                from = to;
            }
        }
        // Longest first, so the last piece to finish is a short one.
        return pieces.OrderByDescending(p => p.To - p.DecodeFrom).ToList();
    }

    /// <summary>
    /// How much history the configured rules need before they can raise what they would raise live
    /// (dwell times, learning periods), plus a margin for the tracker: the overlap between pieces. Five
    /// seconds are 25 analysed frames at 5 fps: the tracker has confirmed what is in view, and a track
    /// crossing the cut has enough boxes in the overlap to be matched (the same tracks as with 10 s on
    /// the busy test recording, 2026-11-24).
    /// </summary>
    public static TimeSpan WarmUp(CameraConfig camera)
    {
        var seconds = new List<double> { 0 };
        foreach (var u in camera.Zones.Select(z => z.UseCases).Append(camera.UseCases))
        {
            if (u.Intrusion is { } i) seconds.Add(i.DwellS);
            if (u.WrongWay is { } w) seconds.Add(Math.Max(w.WindowS, Analytics.WrongWay.LongestRun.TotalSeconds));
            if (u.CrowdDensity is { } c) seconds.Add(c.DwellS);
            if (u.CrowdMovement is { } m) seconds.Add(m.WarmupS + m.DwellS);
            if (u.PersonDown is { } p) seconds.Add(p.DownS + p.MaxFallS);
            if (u.Weapon is { } wp) seconds.Add(wp.WindowS);
            if (u.Fire is { } f) seconds.Add(Math.Max(f.DwellS, f.SmokeDwellS));
            if (u.AbandonedObject is { } a) seconds.Add(a.WarmupS + a.MinStillS + a.DwellS);
        }
        return TimeSpan.FromSeconds(seconds.Max() + 5);
    }
}
