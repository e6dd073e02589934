namespace Vigie.Video;

/// <summary>A stretch of time with no picture, between the frames on either side of it.</summary>
public readonly record struct FootageGap(TimeSpan From, TimeSpan To)
{
    public TimeSpan Length => To - From;

    public static TimeSpan Total(IEnumerable<FootageGap> gaps) => TimeSpan.FromTicks(gaps.Sum(g => g.Length.Ticks));

    /// <summary>Gaps found by several readers of one recording (pieces that overlap), each stretch once, in order.</summary>
    public static IReadOnlyList<FootageGap> Union(IEnumerable<FootageGap> gaps)
    {
        var merged = new List<FootageGap>();
        foreach (var gap in gaps.OrderBy(g => g.From))
            if (merged.Count > 0 && gap.From <= merged[^1].To)
                merged[^1] = merged[^1] with { To = gap.To > merged[^1].To ? gap.To : merged[^1].To };
            else merged.Add(gap);
        return merged;
    }

    /// <summary>For the user: how long there was no picture, and where the longest stretches are (seconds from the start).</summary>
    public static string Describe(IReadOnlyList<FootageGap> gaps)
    {
        var longest = gaps.OrderByDescending(g => g.Length).Take(3).OrderBy(g => g.From)
            .Select(g => $"{g.From.TotalSeconds:0.0}–{g.To.TotalSeconds:0.0} s");
        return $"no picture for {Total(gaps).TotalSeconds:0.0} s in {gaps.Count} gap(s): "
            + string.Join(", ", longest) + (gaps.Count > 3 ? ", …" : "");
    }
}

/// <summary>A source cannot be opened or failed while reading; the message is meant for the user.</summary>
public sealed class VideoSourceException(string message, Exception? inner = null) : Exception(message, inner);
