using Vigie.Video;

namespace Vigie.Tests.Video;

public class FootageGapTests
{
    private static FootageGap Gap(double from, double to) => new(TimeSpan.FromSeconds(from), TimeSpan.FromSeconds(to));

    [Fact]
    public void Gaps_seen_by_overlapping_pieces_count_once()
    {
        // Two pieces of one recording overlap by their warm-up: both saw the gap at 100–160 s.
        var merged = FootageGap.Union([Gap(300, 310), Gap(100, 160), Gap(100, 160), Gap(150, 170)]);
        Assert.Equal([Gap(100, 170), Gap(300, 310)], merged);
    }

    [Fact]
    public void The_description_gives_the_total_and_the_longest_stretches_in_order()
    {
        var text = FootageGap.Describe([Gap(10, 12), Gap(20, 80), Gap(100, 101), Gap(200, 230), Gap(300, 303)]);
        Assert.Equal("no picture for 96.0 s in 5 gap(s): 20.0–80.0 s, 200.0–230.0 s, 300.0–303.0 s, …", text);
    }
}
