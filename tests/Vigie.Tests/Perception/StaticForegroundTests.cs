using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Tests.Video;
using Vigie.Video;

namespace Vigie.Tests.Perception;

/// <summary>The dual background model on rendered frames with exact truth (no detector, nothing occupied).</summary>
public class StaticForegroundTests
{
    private static readonly Box Parcel = new(400, 260, 36, 28);

    /// <summary>Runs the analyser over a rendered scene at 5 frames per second; regions per analysed time.</summary>
    /// <param name="pan">Where the camera looks at a time: the picture's shift to the left, in pixels.</param>
    /// <param name="toldMoving">Whether the analyser is told when the camera moves (the pipeline tells it from the motion field).</param>
    private static List<(double T, IReadOnlyList<StaticRegion> Regions)> Run(SyntheticScene scene, Func<double, double>? pan = null, bool toldMoving = true)
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
            var (shift, before) = (pan?.Invoke(t.TotalSeconds) ?? 0, pan?.Invoke(t.TotalSeconds - 0.2) ?? 0);
            if (shift != 0) CameraMove.Shift(frame, -shift, 0);
            using var shrunk = new ShrunkFrame(frame);
            result.Add((t.TotalSeconds, analyser.Analyse(shrunk, t, [], cameraMoving: toldMoving && shift != before)));
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

    [Fact]
    public void A_camera_panning_through_its_first_seconds_learns_the_scene_where_it_stops()
    {
        // Pans 160 px in the first 6 s, then holds; a parcel is put down at 22 s. A scene learned from
        // samples of several views would flag the edges of every patch on the wall.
        Func<double, double> pan = t => 160 * Math.Clamp(t / 6, 0, 1);
        var regions = Run(Scene(new LeftObject(Parcel, TimeSpan.FromSeconds(22))), pan);
        var shifted = Parcel with { X = Parcel.X - 160 };
        Assert.All(regions, r => Assert.All(r.Regions, x => Assert.True(Covers(x, shifted), $"unexpected region {x.Box} at {r.T} s")));
        Assert.Contains(regions[^1].Regions, x => Covers(x, shifted));
    }

    [Fact]
    public void A_camera_turned_to_another_view_learns_that_view_and_finds_what_is_left_there()
    {
        // Watches one view for 12 s, turns 200 px in 2 s and stays: the parcel lying there since the start
        // is part of the new view's scene too; one put down at 30 s is new.
        var later = new Box(450, 120, 30, 30);
        Func<double, double> pan = t => 200 * Math.Clamp((t - 12) / 2, 0, 1);
        var regions = Run(Scene(new LeftObject(Parcel, TimeSpan.Zero), new LeftObject(later, TimeSpan.FromSeconds(30))), pan);
        var laterThere = later with { X = later.X - 200 };
        Assert.All(regions, r => Assert.All(r.Regions, x => Assert.True(Covers(x, laterThere), $"unexpected region {x.Box} at {r.T} s")));
        Assert.Contains(regions[^1].Regions, x => Covers(x, laterThere));
        // Not told that the camera moved, it takes the new view's patches for things put down.
        Assert.Contains(Run(Scene(new LeftObject(Parcel, TimeSpan.Zero), new LeftObject(later, TimeSpan.FromSeconds(30))), pan, toldMoving: false),
            r => r.Regions.Any(x => !Covers(x, laterThere)));
    }

    [Fact]
    public void Something_still_since_the_scene_was_learned_was_there_from_the_start()
    {
        // Put down 6 s in, too late for most of the samples the empty scene is learned from (the first
        // 8 s): it differs from that scene from the moment it is learned, and is part of it all the same.
        Assert.All(Run(Scene(new LeftObject(Parcel, TimeSpan.FromSeconds(6)))), r => Assert.Empty(r.Regions));
    }
}
