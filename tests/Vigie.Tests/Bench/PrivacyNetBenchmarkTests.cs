using OpenCvSharp;
using Vigie.Bench;

namespace Vigie.Tests.Bench;

public class PrivacyNetBenchmarkTests
{
    [Fact]
    public void Face_blurring_is_measured_on_landscape_and_portrait_frames_at_the_evidence_width_and_reported()
    {
        // Frames of the plaza clip, 1280x720 as the pipeline bench reads them.
        using var capture = new VideoCapture(TestPaths.Clip("pedestrians/vtest.avi"));
        var frames = new List<Mat>();
        for (int i = 0; i < 3; i++)
        {
            var frame = new Mat();
            Assert.True(capture.Read(frame));
            frames.Add(frame);
        }
        try
        {
            var faces = PrivacyNetBenchmark.MeasureFaces(frames, TestPaths.Model("yunet_face.onnx"), 960);
            Assert.Equal((960, 540), (faces.Width, faces.Height));
            Assert.All([faces.OneShapeMs, faces.TwoShapesKeptMs, faces.TwoShapesNewMs], ms => Assert.True(ms > 0));

            var section = PipelineBenchmark.ToMarkdown(new BenchSettings("vtest.avi", null, 1, [1], 5), [], [],
                new PrivacyNetCost(1280, 720, 1, 2, 3) { Faces = faces }, "test machine", DateTimeOffset.UnixEpoch);
            Assert.Contains("960×540 and turned upright (540×960)", section);
            Assert.Contains($"| {faces.TwoShapesKeptMs / faces.TwoShapesNewMs:0.00} |", section);
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
        }
    }
}
