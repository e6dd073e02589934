using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

/// <summary>The camera's own motion measured on views cut from one large textured scene, with exactly known moves.</summary>
public class ViewMotionTests
{
    private static ViewShift? Between(Mat before, Mat after, IReadOnlyList<Box>? moving = null)
    {
        using var motion = new ViewMotion();
        using (var first = new ShrunkFrame(before)) Assert.Null(motion.Measure(first, moving ?? []));
        using var second = new ShrunkFrame(after);
        return motion.Measure(second, moving ?? []);
    }

    [Fact]
    public void A_whip_pan_of_a_quarter_of_the_picture_is_measured()
    {
        using var scene = TestImages.Texture(1200, 500);
        using var before = new Mat(scene, new Rect(100, 100, 640, 360));
        // The view moves 90 px right and 30 px down: a still point is seen 90 px further left and 30 px higher.
        using var after = new Mat(scene, new Rect(190, 130, 640, 360));
        var shift = Between(before, after);
        Assert.NotNull(shift);
        Assert.InRange(shift.Value.Tx, -93, -87);
        Assert.InRange(shift.Value.Ty, -33, -27);
        Assert.InRange(shift.Value.Scale, 0.99, 1.01);
    }

    /// <summary>A slow pan, 2 px a frame (under the 1 % of the height a single frame must move to count), adds up.</summary>
    [Fact]
    public void A_slow_pan_is_taken_out_once_it_adds_up_and_in_full()
    {
        using var scene = TestImages.Texture(800, 360);
        using var motion = new ViewMotion();
        var taken = new List<ViewShift>();
        for (int i = 0; i <= 6; i++)
        {
            using var view = new Mat(scene, new Rect(2 * i, 0, 640, 360));
            using var frame = new ShrunkFrame(view);
            if (motion.Measure(frame, []) is { } shift) taken.Add(shift);
        }
        Assert.InRange(taken.Count, 2, 3);
        Assert.InRange(taken.Sum(s => s.Tx), -13.5, -10.5);
    }

    [Fact]
    public void A_zoom_is_measured_as_a_scale_about_the_picture()
    {
        using var scene = TestImages.Texture(1200, 700);
        using var wide = new Mat(scene, new Rect(200, 100, 704, 396));
        using var before = new Mat();
        Cv2.Resize(wide, before, new Size(640, 360), 0, 0, InterpolationFlags.Area);
        // Zooming in by 10 %: the centre 640×360 of the same wide view, shown at its own size.
        using var after = new Mat(scene, new Rect(232, 118, 640, 360));
        var shift = Between(before, after);
        Assert.NotNull(shift);
        Assert.InRange(shift.Value.Scale, 1.08, 1.12);
    }

    [Fact]
    public void A_still_view_reports_no_move()
    {
        using var scene = TestImages.Texture(640, 360);
        using var again = scene.Clone();
        Assert.Null(Between(scene, again));
    }

    /// <summary>
    /// Someone close to the camera covers most of the picture and moves: what is detected is masked out, so the
    /// view is still measured on the background left around it (a stabiliser once followed such a person).
    /// </summary>
    [Fact]
    public void A_large_detected_thing_moving_in_front_of_a_still_view_is_not_a_move_of_the_view()
    {
        using var scene = TestImages.Texture(640, 360);
        using var body = TestImages.Texture(400, 330, seed: 2);
        using var before = scene.Clone();
        using var after = scene.Clone();
        body.CopyTo(new Mat(before, new Rect(60, 20, 400, 330)));
        body.CopyTo(new Mat(after, new Rect(120, 20, 400, 330)));
        Box[] detected = [new(60, 20, 460, 330)];
        Assert.Null(Between(before, after, detected));
        // Not masked, the thing's corners would be taken for the view's.
        Assert.NotNull(Between(before, after));
    }

    /// <summary>
    /// A train the detector does not see pulls out across a still view: its corners agree on a small move, and so do the
    /// still corners near enough to where it would put them, but most corners are where they were.
    /// </summary>
    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(12)]
    [InlineData(16)]
    public void A_large_undetected_thing_moving_a_little_in_front_of_a_still_view_is_not_a_move_of_the_view(int pixels)
    {
        using var scene = TestImages.Texture(640, 360);
        using var train = TestImages.Texture(240, 110, seed: 2);
        using var before = scene.Clone();
        using var after = scene.Clone();
        train.CopyTo(new Mat(before, new Rect(300, 60, 240, 110)));
        train.CopyTo(new Mat(after, new Rect(300 + pixels, 60, 240, 110)));
        Assert.Null(Between(before, after));
    }

    [Fact]
    public void A_cut_to_another_scene_is_not_measured()
    {
        using var one = TestImages.Texture(640, 360);
        using var other = TestImages.Texture(640, 360, seed: 2);
        Assert.Null(Between(one, other));
    }

    [Fact]
    public void A_shift_moves_a_box_and_scales_it_about_its_centre()
    {
        var zoomAndPan = new ViewShift(1.1, 0, -20, 5);
        var moved = zoomAndPan.Apply(new Box(100, 50, 40, 80));
        Assert.Equal(1.1 * 120 - 20, moved.Center.X, 3);
        Assert.Equal(1.1 * 90 + 5, moved.Center.Y, 3);
        Assert.Equal(44, moved.Width, 3);
        Assert.Equal(88, moved.Height, 3);
        Assert.True(zoomAndPan.Moves(360, 0.01));
        Assert.False(new ViewShift(1.002, 0, 1, -1).Moves(360, 0.01));
    }
}
