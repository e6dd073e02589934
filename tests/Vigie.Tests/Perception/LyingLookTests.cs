using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class LyingLookTests
{
    [Theory]
    [InlineData(RotateFlags.Rotate90Clockwise)]
    [InlineData(RotateFlags.Rotate90Counterclockwise)]
    public void A_box_found_in_the_turned_crop_is_put_back_where_it_is_in_the_frame(RotateFlags turn)
    {
        using var frame = new Mat(200, 300, MatType.CV_8UC1, Scalar.All(0));
        var spot = new Rect(50, 40, 120, 90);
        frame[new Rect(60, 60, 30, 50)].SetTo(Scalar.All(255));
        using var turned = new Mat();
        Cv2.Rotate(new Mat(frame, spot), turned, turn);
        var found = Cv2.BoundingRect(turned);
        var back = LyingLook.TurnBack(new Box(found.X, found.Y, found.Width, found.Height), turn, spot);
        Assert.Equal(new Box(60, 60, 30, 50), back);
    }

    private static Detection Person(Box box, float score) => new(box, Category.Person, "person", score);

    [Fact]
    public void The_lying_person_replaces_the_pieces_of_them_the_first_look_found_and_leaves_others()
    {
        var lying = Person(new Box(40, 220, 200, 80), 0.85f);
        var legs = Person(new Box(160, 210, 80, 85), 0.2f);
        var bystander = Person(new Box(250, 120, 50, 150), 0.9f);
        var bag = new Detection(new Box(100, 240, 40, 40), Category.Bag, "handbag", 0.5f);
        var detections = new List<Detection> { legs, bystander, bag };
        LyingLook.Merge(detections, lying);
        Assert.Equal([bystander, bag, lying], detections);

        // Found whole, and as surely, by the first look: nothing to add.
        var whole = Person(new Box(45, 222, 195, 78), 0.9f);
        var seen = new List<Detection> { whole };
        LyingLook.Merge(seen, lying);
        Assert.Equal([whole], seen);
    }

    [Fact]
    public void A_man_lying_across_the_floor_filmed_small_is_found_turned_where_the_first_look_misses_him()
    {
        // room_fall07 at 10.4 s, at 60 % of its size: the man lies across the lower middle of the picture.
        using var original = TestPaths.FrameAt("fall/room_fall07.mp4", 10.4);
        using var frame = original.Resize(new Size(242, 432));
        using var model = new OnnxDetector(new OnnxModelOptions(TestPaths.Model("yolox_nano.onnx"), ModelFormat.Yolox, 416, 416, 0.3f, 0.45f, 1,
            ClassMaps.Coco80));
        // He stood about 135 px tall; last seen going down, in a squat box on the middle of the floor.
        var spot = new LyingSpot(new Box(0, 140, 242, 242), new Box(130, 180, 110, 100), 135);
        Assert.DoesNotContain(model.Detect(frame), d => d.Category == Category.Person && d.Box.IntersectionArea(spot.Around) > 0.5 * d.Box.Area
            && d.Box.Width > d.Box.Height);

        using var look = new LyingLook(new OnnxDetector(new OnnxModelOptions(TestPaths.Model("yolox_nano.onnx"), ModelFormat.Yolox, 416, 416, 0.3f,
            0.45f, 1, ClassMaps.Coco80)), 0.3f);
        var lying = look.Find(frame, spot);
        Assert.NotNull(lying);
        Assert.True(lying.Score > 0.6, $"score {lying.Score}");
        Assert.True(lying.Box.Width > 1.5 * lying.Box.Height, $"box {lying.Box}");
        Assert.InRange(lying.Box.Center.Y, 220, 320);
        // Not someone else's: away from where the one looked for was last seen, or far longer than they stood tall.
        Assert.Null(look.Find(frame, spot with { LastSeen = new Box(0, 150, 40, 40) }));
        Assert.Null(look.Find(frame, spot with { StandingHeight = 100 }));
        // Where nobody lies (the wall above), nothing is found.
        Assert.Null(look.Find(frame, new LyingSpot(new Box(0, 0, 242, 120), new Box(80, 20, 80, 80), 135)));
    }
}
