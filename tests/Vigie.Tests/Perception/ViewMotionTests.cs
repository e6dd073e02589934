using OpenCvSharp;
using Vigie.Evaluation;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

/// <summary>The camera's own motion measured on views cut from one large textured scene, and on a real clip swayed, with exactly known moves.</summary>
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
    /// A train the detector does not see, over a third of the picture, pulls out across a still view: its corners agree
    /// on a small move, and so do the still corners near enough to where it would put them, but most corners are where
    /// they were. On many textures the strongest corners of the picture are on the train (its edges are the sharpest
    /// there are): taken by strength alone they were mostly its own, and its move passed for the view's; spread over
    /// the picture but kept 31 px from its sides, the train still filled most of where they were looked for.
    /// </summary>
    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(30)]
    public void A_large_undetected_thing_moving_in_front_of_a_still_view_is_not_a_move_of_the_view(int pixels)
    {
        var takenForTheView = new List<int>();
        for (int seed = 1; seed <= 12; seed++)
        {
            using var scene = TestImages.Texture(640, 360, seed);
            using var train = TestImages.Texture(400, 200, seed + 100);
            using var before = scene.Clone();
            using var after = scene.Clone();
            train.CopyTo(new Mat(before, new Rect(100, 60, 400, 200)));
            train.CopyTo(new Mat(after, new Rect(100 + pixels, 60, 400, 200)));
            if (Between(before, after) is not null) takenForTheView.Add(seed);
        }
        Assert.Empty(takenForTheView);
    }

    [Fact]
    public void A_featureless_view_is_not_measured()
    {
        using var fog = new Mat(360, 640, MatType.CV_8UC3, Scalar.All(128));
        using var again = fog.Clone();
        Assert.Null(Between(fog, again));
    }

    [Fact]
    public void A_cut_to_another_scene_is_not_measured()
    {
        using var one = TestImages.Texture(640, 360);
        using var other = TestImages.Texture(640, 360, seed: 2);
        Assert.Null(Between(one, other));
    }

    /// <summary>
    /// Real footage with a known sway: the platform clip's swaying copy (the evaluation's), each analysed frame measured
    /// against the one before, over the first 20 s, as the train pulls out behind the platform (4–16 s). Taking the
    /// strongest corners of the picture, the move measured was the train's rather than the view's on 22 of 100 pairs.
    /// </summary>
    [Fact]
    public async Task The_sway_of_a_camera_on_a_platform_is_measured_while_a_train_pulls_out()
    {
        const string clip = "abandoned_object/avss2007_easy_platform_suitcase.mov";
        var copy = Path.Combine(TestPaths.TempFolder(), "swaying.mp4");
        await FootageVariants.MakeCopyAsync(TestPaths.Clip(clip), copy, FootageVariants.All.Single(v => v.Name == "swaying"), CancellationToken.None);
        using var capture = new VideoCapture(copy);
        var everyFifth = (int)Math.Round(capture.Fps / 5);
        var wrong = new List<string>();
        int measured = 0, pairs = 0;
        Mat? previous = null;
        for (int index = 0; index <= 20 * capture.Fps; index++)
        {
            var frame = new Mat();
            Assert.True(capture.Read(frame));
            if (index % everyFifth != 0) { frame.Dispose(); continue; }
            if (previous is not null)
            {
                pairs++;
                var (trueX, trueY) = SwayBetween((index - everyFifth) / capture.Fps, index / capture.Fps, frame.Width, frame.Height);
                var trueMove = Math.Sqrt(trueX * trueX + trueY * trueY);
                if (Between(previous, frame) is { } shift)
                {
                    measured++;
                    var centre = shift.Apply(new Point2(frame.Width / 2f, frame.Height / 2f));
                    var off = Math.Sqrt(Math.Pow(centre.X - frame.Width / 2f - trueX, 2) + Math.Pow(centre.Y - frame.Height / 2f - trueY, 2));
                    if (off > 0.5 * trueMove + 3) wrong.Add($"{index / capture.Fps:0.0} s: {off:0.0} px off a move of {trueMove:0.0}");
                }
                previous.Dispose();
            }
            previous = frame;
        }
        previous?.Dispose();
        Assert.Empty(wrong);
        Assert.True(measured >= 0.8 * pairs, $"{measured} of {pairs} pairs measured");
    }

    /// <summary>How a still point moves between two times of the "swaying" copy: its crop window (6 % smaller than the picture)
    /// slides along two sines, and the crop is scaled back up to the picture's size.</summary>
    private static (double X, double Y) SwayBetween(double from, double to, int width, int height)
    {
        double Slack(int size) => (size - 2 * Math.Truncate(size * 0.94 / 2)) / 2 / 0.94;
        double X(double t) => -Slack(width) * Math.Sin(2 * Math.PI * t / 3);
        double Y(double t) => -Slack(height) * Math.Sin(2 * Math.PI * t / 2.3 + 1);
        return (X(to) - X(from), Y(to) - Y(from));
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
