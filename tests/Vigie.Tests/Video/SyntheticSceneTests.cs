using OpenCvSharp;
using Vigie.Video;

namespace Vigie.Tests.Video;

public class SyntheticSceneTests
{
    /// <summary>
    /// Tests compare analyses of generated footage with exact truth: the footage must not depend on which
    /// thread made it (OpenCV's own random generator is per thread and shared with other callers).
    /// </summary>
    [Fact]
    public void A_frame_renders_the_same_on_any_thread()
    {
        var scene = SyntheticScene.Default;
        Mat Render()
        {
            using var background = scene.Background();
            var frame = new Mat();
            scene.Render(50, frame, background);
            return frame;
        }

        using var here = Render();
        Mat? elsewhere = null;
        var thread = new Thread(() =>
        {
            using (var used = new Mat(8, 8, MatType.CV_8UC1)) Cv2.Randu(used, Scalar.All(0), Scalar.All(255));
            elsewhere = Render();
        });
        thread.Start();
        thread.Join();
        using (elsewhere)
        {
            Assert.Equal(0, Cv2.Norm(here, elsewhere!, NormTypes.L1));
            using var next = new Mat();
            using var background = scene.Background();
            scene.Render(51, next, background);
            Assert.NotEqual(0, Cv2.Norm(here, next, NormTypes.L1));
        }
    }
}
