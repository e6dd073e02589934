using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Video;

namespace Vigie.Tests.Perception;

/// <summary>The dual background model on rendered frames with exact truth (no detector, nothing occupied).</summary>
public class StaticForegroundTests
{
    private static readonly Box Parcel = new(400, 260, 36, 28);

    /// <summary>Runs the analyser over a rendered scene at 5 frames per second; regions per analysed time.</summary>
    private static List<(double T, IReadOnlyList<StaticRegion> Regions)> Run(SyntheticScene scene)
    {
        using var analyser = new StaticForegroundAnalyzer();
        using var background = scene.Background();
        using var frame = new Mat();
        var result = new List<(double, IReadOnlyList<StaticRegion>)>();
        var step = (int)(scene.Fps / 5);
        for (int i = 0; i < scene.Length.TotalSeconds * scene.Fps; i += step)
        {
            scene.Render(i, frame, background);
            var t = TimeSpan.FromSeconds(i / scene.Fps);
            result.Add((t.TotalSeconds, analyser.Analyse(frame, t, [])));
        }
        return result;
    }

    private static SyntheticScene Scene(params LeftObject[] objects) =>
        new SyntheticScene(640, 360, 10, TimeSpan.FromSeconds(40), []) { Objects = objects };

    private static bool Covers(StaticRegion r, Box truth) => r.Box.IoU(truth) > 0.6;

    [Fact]
    public void A_parcel_put_down_becomes_a_static_region_in_its_place_a_few_seconds_later()
    {
        var regions = Run(Scene(new LeftObject(Parcel, TimeSpan.FromSeconds(12))));
        var first = regions.First(r => r.Regions.Any(x => Covers(x, Parcel)));
        Assert.InRange(first.T, 12.5, 17);
        // Still reported at the end, and nothing else ever is.
        Assert.Contains(regions[^1].Regions, x => Covers(x, Parcel));
        Assert.All(regions, r => Assert.All(r.Regions, x => Assert.True(Covers(x, Parcel), $"unexpected region {x.Box} at {r.T} s")));
        var since = regions[^1].Regions.Single().Since.TotalSeconds;
        Assert.InRange(since, 12, 16);
    }

    [Fact]
    public void Something_there_from_the_start_is_the_scene()
    {
        Assert.All(Run(Scene(new LeftObject(Parcel, TimeSpan.Zero))), r => Assert.Empty(r.Regions));
    }

    [Fact]
    public void A_parcel_taken_away_stops_being_reported_and_leaves_no_lasting_hole()
    {
        var regions = Run(Scene(new LeftObject(Parcel, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(22))));
        Assert.Contains(regions, r => r.T < 22 && r.Regions.Any(x => Covers(x, Parcel)));
        // The parcel leaves at 22 s; its place is the empty scene again at once.
        Assert.All(regions.Where(r => r.T >= 22.4), r => Assert.Empty(r.Regions));
    }

    [Fact]
    public void A_parcel_present_while_the_scene_was_learned_then_removed_is_learned_as_gone()
    {
        // Lies there during the first seconds (learned as scene), taken at 15 s: a hole, not an object.
        var regions = Run(Scene(new LeftObject(Parcel, TimeSpan.Zero, TimeSpan.FromSeconds(15))));
        Assert.All(regions.Where(r => r.T >= 24), r => Assert.Empty(r.Regions));
    }
}
