using OpenCvSharp;
using Vigie.Perception;
using Xunit;

namespace Vigie.Tests.Perception;

public class FaceDetectorTests
{
    [Fact]
    public void Frames_of_portrait_and_landscape_cameras_in_turn_keep_their_networks_and_find_the_same_faces()
    {
        // A real portrait frame with a face, and the same frame on a landscape canvas.
        using var frame = TestImages.WithAFace();
        using var wide = new Mat();
        Cv2.CopyMakeBorder(frame, wide, 0, 0, 0, 900, BorderTypes.Constant, Scalar.All(0));
        Mat[] shapes = [frame, wide];

        using var faces = new FaceDetector(TestPaths.Model("yunet_face.onnx"));
        var loadedAtStart = faces.NetworksLoaded;
        var first = shapes.Select(s => faces.Detect(s)).ToList();
        Assert.All(first, Assert.NotEmpty);
        for (int round = 0; round < 3; round++)
            for (int i = 0; i < shapes.Length; i++)
                Assert.Equal(first[i], faces.Detect(shapes[i]));
        Assert.Equal(loadedAtStart + shapes.Length, faces.NetworksLoaded);

        // A fresh detector on each shape finds the same faces: no network answers for another size.
        for (int i = 0; i < shapes.Length; i++)
        {
            using var fresh = new FaceDetector(TestPaths.Model("yunet_face.onnx"));
            Assert.Equal(first[i], fresh.Detect(shapes[i]));
        }
    }

    [Fact]
    public void More_shapes_than_it_keeps_let_the_least_recently_used_go()
    {
        using var faces = new FaceDetector(TestPaths.Model("yunet_face.onnx"));
        var sizes = Enumerable.Range(0, FaceDetector.MostInputSizes + 1).Select(i => new Mat(240, 320 + 16 * i, MatType.CV_8UC3, Scalar.All(90))).ToList();
        try
        {
            foreach (var s in sizes) faces.Detect(s);
            var loaded = faces.NetworksLoaded;
            faces.Detect(sizes[^1]);
            faces.Detect(sizes[1]);
            Assert.Equal(loaded, faces.NetworksLoaded);
            faces.Detect(sizes[0]); // the oldest, let go when the last size came
            Assert.Equal(loaded + 1, faces.NetworksLoaded);
        }
        finally
        {
            foreach (var s in sizes) s.Dispose();
        }
    }
}
