using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Video;

namespace Vigie.Tests.Video;

public class ForegroundPrivacyTests
{
    /// <summary>A textured empty scene: mosaic cells are visible on it, so pixelation shows.</summary>
    internal static Mat Scene()
    {
        var scene = new Mat(360, 640, MatType.CV_8UC3);
        Cv2.Randu(scene, new Scalar(60, 60, 60), new Scalar(200, 200, 200));
        Cv2.GaussianBlur(scene, scene, new Size(3, 3), 0);
        return scene;
    }

    /// <summary>Share of horizontally neighbouring pixels that differ: few inside a mosaic's cells.</summary>
    internal static double Detail(Mat image, Rect where)
    {
        using var grey = new Mat();
        Cv2.CvtColor(new Mat(image, where), grey, ColorConversionCodes.BGR2GRAY);
        using var difference = new Mat();
        Cv2.Absdiff(new Mat(grey, new Rect(0, 0, where.Width - 1, where.Height)), new Mat(grey, new Rect(1, 0, where.Width - 1, where.Height)), difference);
        using var differing = difference.GreaterThan(1).ToMat();
        return (double)Cv2.CountNonZero(differing) / differing.Total();
    }

    internal static bool Same(Mat a, Mat b, Rect where)
    {
        using var x = new Mat(a, where);
        using var y = new Mat(b, where);
        using var d = new Mat();
        Cv2.Absdiff(x, y, d);
        return Cv2.CountNonZero(d.Reshape(1)) == 0;
    }

    [Fact]
    public void Whatever_differs_from_the_scene_is_pixelated_but_a_known_vehicle_stays_visible_though_its_shadow_rings_it()
    {
        using var background = Scene();
        using var frame = background.Clone();
        var car = new Rect(100, 100, 160, 90);
        // The car, and its shadow all round it: the difference's outline encloses the car's box.
        Cv2.Rectangle(frame, new Rect(car.X - 10, car.Y - 10, car.Width + 20, car.Height + 20), new Scalar(20, 20, 20), -1);
        Cv2.Rectangle(frame, car, new Scalar(30, 30, 220), -1);
        Cv2.Rectangle(frame, new Rect(120, 120, 20, 20), new Scalar(250, 250, 250), -1);
        var walker = new Rect(450, 150, 30, 90);
        Cv2.Rectangle(frame, walker, new Scalar(10, 120, 10), -1);
        Cv2.Circle(frame, new Point(465, 165), 8, new Scalar(180, 200, 240), -1);
        using var before = frame.Clone();

        Assert.True(ForegroundPrivacy.Hide(frame, background, [new Box(car.X, car.Y, car.Width, car.Height)]));

        Assert.True(Same(frame, before, car), "the car's own box is left as it was");
        Assert.False(Same(frame, before, walker), "the unknown walker is pixelated");
        Assert.False(Same(frame, before, new Rect(car.X - 10, car.Y - 10, 10, car.Height)), "the shadow beside the car is pixelated");
        Assert.True(Same(frame, before, new Rect(0, 300, 640, 60)), "the unchanged scene is left alone");
    }

    [Fact]
    public void Nothing_is_touched_when_the_frame_is_the_empty_scene()
    {
        using var background = Scene();
        using var frame = background.Clone();
        Assert.False(ForegroundPrivacy.Hide(frame, background, []));
        Assert.True(Same(frame, background, new Rect(0, 0, 640, 360)));
    }

    [Fact]
    public void A_change_of_light_is_made_up_for_and_people_on_the_brighter_scene_are_still_hidden()
    {
        using var background = Scene();
        using var frame = new Mat();
        background.ConvertTo(frame, -1, 1.3); // a cloud passed, the exposure changed
        // People crossing the left two thirds of the picture, each in their own colours.
        var random = new Random(7);
        var people = Enumerable.Range(0, 40).Select(i => new Rect(10 + i % 10 * 40, 10 + i / 10 * 85, 30, 80)).ToList();
        foreach (var person in people)
            Cv2.Rectangle(frame, person, new Scalar(random.Next(256), random.Next(256), random.Next(256)), -1);
        using var before = frame.Clone();

        Assert.True(ForegroundPrivacy.Hide(frame, background, []));

        Assert.All(people, person => Assert.False(Same(frame, before, person), $"the person at {person} is pixelated"));
        Assert.True(Same(frame, before, new Rect(420, 0, 220, 360)), "the brighter empty scene is left alone");
    }

    [Fact]
    public void A_new_picture_is_not_taken_for_a_change_of_light()
    {
        using var background = Scene();
        using var frame = Scene(); // another view: a pan, a cut
        Assert.True(ForegroundPrivacy.Hide(frame, background, []));
        Assert.True(Detail(frame, new Rect(0, 0, 640, 360)) < 0.3, "the whole picture is pixelated");
    }

    [Fact]
    public void A_background_learnt_small_hides_a_walker_and_leaves_the_sharp_scene_alone()
    {
        using var background = Scene();
        using var small = new Mat();
        Cv2.Resize(background, small, new Size(240, 135), 0, 0, InterpolationFlags.Area);
        using var frame = background.Clone();
        var walker = new Rect(450, 150, 30, 90);
        Cv2.Rectangle(frame, walker, new Scalar(10, 120, 10), -1);
        using var before = frame.Clone();

        Assert.True(ForegroundPrivacy.Hide(frame, small, []));

        Assert.False(Same(frame, before, walker), "the walker is pixelated");
        // Compared at the small size, the fine texture of the scene is no difference.
        Assert.True(Same(frame, before, new Rect(0, 0, 400, 360)), "the rest of the scene is left alone");
    }

    [Fact]
    public void A_running_background_leaves_out_passers_by_and_follows_a_new_picture_size()
    {
        using var scene = Scene();
        using var learnt = new RunningBackground(width: 320);
        for (int i = 0; i < 9; i++)
        {
            using var frame = scene.Clone();
            // Someone walking across, one place per sample; and frames between samples are not taken.
            Cv2.Rectangle(frame, new Rect(40 + 60 * i, 150, 30, 90), new Scalar(10, 120, 10), -1);
            learnt.Offer(frame, TimeSpan.FromSeconds(2 * i), []);
            learnt.Offer(frame, TimeSpan.FromSeconds(2 * i + 1), []);
            Assert.Equal(i + 1 >= RunningBackground.Least, learnt.Current is not null);
        }
        using var expected = new Mat();
        Cv2.Resize(scene, expected, new Size(320, 180), 0, 0, InterpolationFlags.Area);
        using var d = new Mat();
        Cv2.Absdiff(learnt.Current!, expected, d);
        Assert.True(Cv2.Mean(d).Val1 < 1, "the walker is not in the background");

        using var resized = new Mat(640, 640, MatType.CV_8UC3, Scalar.All(90));
        learnt.Offer(resized, TimeSpan.FromSeconds(30), []);
        Assert.Null(learnt.Current);
    }

    [Fact]
    public void Someone_standing_still_where_detected_is_not_learnt_as_part_of_the_scene()
    {
        using var scene = Scene();
        var stands = new Rect(300, 120, 40, 120);
        RunningBackground Learn(bool told)
        {
            var learnt = new RunningBackground(width: 320);
            for (int i = 0; i < 12; i++)
            {
                using var frame = scene.Clone();
                // Standing there on 9 samples of 12 (not yet arrived on the first three), detected each time.
                var there = i >= 3;
                if (there) Cv2.Rectangle(frame, stands, new Scalar(10, 120, 10), -1);
                learnt.Offer(frame, TimeSpan.FromSeconds(2 * i), told && there ? [new Box(stands.X, stands.Y, stands.Width, stands.Height)] : []);
            }
            return learnt;
        }
        double Green(RunningBackground learnt)
        {
            using var place = new Mat(learnt.Current!, new Rect(stands.X / 2 + 4, stands.Y / 2 + 4, stands.Width / 2 - 8, stands.Height / 2 - 8));
            return Cv2.Mean(place).Val1 - Cv2.Mean(place).Val0;
        }
        using var withDetections = Learn(told: true);
        using var without = Learn(told: false);
        Assert.True(Green(without) > 50, "a median alone learns someone who stays");
        Assert.True(Math.Abs(Green(withDetections)) < 10, "the samples where they were detected do not count");
    }

    [Fact]
    public void Someone_standing_still_undetected_for_a_minute_is_not_yet_part_of_the_scene()
    {
        using var scene = Scene();
        using var learnt = new RunningBackground(width: 320);
        var stands = new Rect(300, 120, 40, 120);
        double GreenAfter(int seconds, int from)
        {
            for (var t = from; t <= seconds; t++)
            {
                using var frame = scene.Clone();
                // Arrives once the scene is known, and the detector never sees them.
                if (t >= 30) Cv2.Rectangle(frame, stands, new Scalar(10, 120, 10), -1);
                learnt.Offer(frame, TimeSpan.FromSeconds(t), []);
            }
            using var place = new Mat(learnt.Current!, new Rect(stands.X / 2 + 4, stands.Y / 2 + 4, stands.Width / 2 - 8, stands.Height / 2 - 8));
            return Cv2.Mean(place).Val1 - Cv2.Mean(place).Val0;
        }
        Assert.True(Math.Abs(GreenAfter(90, 0)) < 10, "a minute still: not learnt");
        Assert.True(GreenAfter(150, 91) > 50, "two minutes still: learnt (the limit, documented)");
    }

    [Fact]
    public void A_new_view_is_learnt_again_within_seconds()
    {
        using var before = Scene();
        // The camera turned: walls and windows where the textured floor was.
        using var after = new Mat(360, 640, MatType.CV_8UC3, Scalar.All(20));
        for (var x = 0; x < 640; x += 160) Cv2.Rectangle(after, new Rect(x, 0, 80, 360), Scalar.All(235), -1);
        using var learnt = new RunningBackground(width: 320);
        for (var t = 0; t <= 60; t++) learnt.Offer(t < 40 ? before : after, TimeSpan.FromSeconds(t), []);
        using var expected = new Mat();
        Cv2.Resize(after, expected, new Size(320, 180), 0, 0, InterpolationFlags.Area);
        using var d = new Mat();
        Cv2.Absdiff(learnt.Current!, expected, d);
        Assert.True(Cv2.Mean(d).Val1 < 1, "20 s after the turn, the new view is the learnt scene");
    }
}
