using OpenCvSharp;
using Vigie.Forensics;
using Vigie.Geometry;
using static Vigie.Tests.Video.ForegroundPrivacyTests;

namespace Vigie.Tests.Forensics;

public class ThumbnailPrivacyTests
{
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
            File.WriteAllBytes(Path.Combine(folder, "broken.jpg"), [0xFF, 0xD8, 0x00]);
            using var written = Cv2.ImRead(Path.Combine(folder, "bag.jpg"));

            var changed = ThumbnailPrivacy.HideUnknown(folder,
                [
                    new Thumbnail("bag.jpg", new Box(crop.X, crop.Y, crop.Width, crop.Height), [new Box(bag.X - crop.X, bag.Y - crop.Y, bag.Width, bag.Height)]),
                    new Thumbnail("empty.jpg", new Box(20, 20, 100, 100), []),
                    new Thumbnail("broken.jpg", new Box(0, 0, 50, 50), []),
                ], background);

            Assert.Equal(1, changed);
            Assert.Equal(emptyBytes, File.ReadAllBytes(Path.Combine(folder, "empty.jpg")));
            Assert.False(File.Exists(Path.Combine(folder, "broken.jpg")), "a thumbnail that cannot be checked is not kept");
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
