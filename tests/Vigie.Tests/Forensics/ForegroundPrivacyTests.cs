using OpenCvSharp;
using Vigie.Forensics;
using Vigie.Geometry;

namespace Vigie.Tests.Forensics;

public class ForegroundPrivacyTests
{
    /// <summary>A textured empty scene: mosaic cells are visible on it, so pixelation shows.</summary>
    private static Mat Scene()
    {
        var scene = new Mat(360, 640, MatType.CV_8UC3);
        Cv2.Randu(scene, new Scalar(60, 60, 60), new Scalar(200, 200, 200));
        Cv2.GaussianBlur(scene, scene, new Size(3, 3), 0);
        return scene;
    }

    private static bool Same(Mat a, Mat b, Rect where)
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
    public void Thumbnails_cut_before_the_background_was_known_are_pixelated_where_someone_unknown_stood()
    {
        var folder = Directory.CreateTempSubdirectory("vigie-thumbs").FullName;
        try
        {
            using var background = Scene();
            using var frame = background.Clone();
            // A bag on the ground, and a person the detector missed standing beside it.
            var bag = new Rect(300, 200, 40, 50);
            Cv2.Rectangle(frame, bag, new Scalar(20, 60, 140), -1);
            var missed = new Rect(350, 150, 28, 100);
            Cv2.Rectangle(frame, missed, new Scalar(200, 40, 40), -1);
            var crop = new Rect(280, 130, 120, 140);
            using (var withPerson = new Mat(frame, crop)) ThumbnailPrivacy.Write(Path.Combine(folder, "bag.jpg"), withPerson);
            using (var empty = new Mat(background, new Rect(20, 20, 100, 100))) ThumbnailPrivacy.Write(Path.Combine(folder, "empty.jpg"), empty);
            var emptyBytes = File.ReadAllBytes(Path.Combine(folder, "empty.jpg"));
            using var written = Cv2.ImRead(Path.Combine(folder, "bag.jpg"));

            var changed = ThumbnailPrivacy.HideUnknown(folder,
                [
                    new Thumbnail("bag.jpg", new Box(crop.X, crop.Y, crop.Width, crop.Height), [new Box(bag.X - crop.X, bag.Y - crop.Y, bag.Width, bag.Height)]),
                    new Thumbnail("empty.jpg", new Box(20, 20, 100, 100), []),
                ], background, workers: 2);

            Assert.Equal(1, changed);
            Assert.Equal(emptyBytes, File.ReadAllBytes(Path.Combine(folder, "empty.jpg")));
            using var hidden = Cv2.ImRead(Path.Combine(folder, "bag.jpg"));
            var person = new Rect(missed.X - crop.X, missed.Y - crop.Y, missed.Width, missed.Height);
            using var personBefore = new Mat(written, person);
            using var personAfter = new Mat(hidden, person);
            using var d = new Mat();
            Cv2.Absdiff(personBefore, personAfter, d);
            Assert.True(Cv2.Mean(d).Val0 + Cv2.Mean(d).Val1 + Cv2.Mean(d).Val2 > 15, "the missed person is pixelated in the bag's thumbnail");
            var bagInThumb = new Rect(bag.X - crop.X + 2, bag.Y - crop.Y + 2, bag.Width - 4, bag.Height - 4);
            using var bagBefore = new Mat(written, bagInThumb);
            using var bagAfter = new Mat(hidden, bagInThumb);
            Cv2.Absdiff(bagBefore, bagAfter, d);
            Assert.True(Cv2.Mean(d).Val0 < 6, "the bag stays visible (only re-compressed)");
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
