using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class ObjectLookTests
{
    private static byte[] Stripes(int dark, int light) => Enumerable.Range(0, 256).Select(i => (byte)(i % 16 < 8 ? dark : light)).ToArray();

    [Fact]
    public void The_same_place_under_other_light_looks_the_same_and_another_pattern_does_not()
    {
        var look = ObjectLook.FromGrey(Stripes(30, 120));
        Assert.Equal(1, look.Similarity(ObjectLook.FromGrey(Stripes(60, 200))), 3);
        var across = ObjectLook.FromGrey(Enumerable.Range(0, 256).Select(i => (byte)(i / 16 < 8 ? 30 : 120)).ToArray());
        Assert.InRange(look.Similarity(across), -0.1, 0.1);
    }

    [Fact]
    public void Flat_places_compare_by_brightness_and_never_match_a_pattern()
    {
        var dark = ObjectLook.FromGrey(Enumerable.Repeat((byte)20, 256).ToArray());
        Assert.True(dark.Similarity(ObjectLook.FromGrey(Enumerable.Repeat((byte)24, 256).ToArray())) > 0.8);
        Assert.True(dark.Similarity(ObjectLook.FromGrey(Enumerable.Repeat((byte)120, 256).ToArray())) < 0.1);
        Assert.Equal(0, dark.Similarity(ObjectLook.FromGrey(Stripes(30, 120))));
    }

    [Fact]
    public void A_box_is_read_from_the_image_within_its_edges()
    {
        using var image = new Mat(100, 200, MatType.CV_8UC3, Scalar.All(200));
        image[new Rect(150, 40, 50, 20)].SetTo(Scalar.All(20));
        // Half outside the image on the right: only the part inside is read.
        var look = ObjectLook.Of(image, new Box(150, 30, 100, 40))!;
        Assert.True(look.Contrast > 50, $"contrast {look.Contrast}");
        Assert.True(look.Similarity(ObjectLook.Of(image, new Box(150, 30, 50, 40))!) > 0.95);
        Assert.Null(ObjectLook.Of(image, new Box(198, 10, 30, 30)));
    }
}
