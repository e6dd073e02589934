using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using Vigie.Config;
using Vigie.Geometry;
using Vigie.Video;

namespace Vigie.Tests.Video;

/// <summary>Privacy masks black out their area in every frame, before anything analyses or shows it.</summary>
public class PrivacyMaskTests
{
    [Fact]
    public async Task Masked_pixels_are_black_in_every_decoded_frame_and_the_rest_is_untouched()
    {
        var clip = Path.Combine(TestPaths.TempFolder(), "scene.mp4");
        SyntheticScene.Default.WriteVideo(clip);
        IReadOnlyList<Point2> rightHalf = [new(0.5f, 0), new(1, 0), new(1, 1), new(0.5f, 1)];
        await using var source = PrivacyMaskedSource.Wrap(await FrameSources.OpenAsync(clip, FrameSources.Decoding(new AnalysisConfig { Fps = 5 }, 1), 25, NullLogger.Instance),
            [rightHalf]);
        var frames = 0;
        await foreach (var frame in source.ReadFramesAsync(CancellationToken.None))
        {
            using (frame)
            {
                var image = frame.Image;
                int w = image.Width, h = image.Height;
                using var masked = new Mat(image, new Rect(w / 2 + 1, 0, w - w / 2 - 1, h));
                using var open = new Mat(image, new Rect(0, 0, w / 2 - 1, h));
                Assert.Equal(0, Cv2.CountNonZero(masked.CvtColor(ColorConversionCodes.BGR2GRAY)));
                Assert.True(Cv2.Mean(open).Val0 > 20, "the unmasked half keeps its picture");
                frames++;
            }
        }
        Assert.True(frames > 50);
    }

    [Fact]
    public void A_mask_without_area_is_a_config_error_naming_it()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            version: 1
            cameras:
              - name: street
                privacy_masks:
                  - { name: windows of no. 12, polygon: [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]] }
                  - { name: door, polygon: [[0.1, 0.1], [0.2, 0.2]] }
            """));
        var errors = error.Errors;
        Assert.Contains(errors, e => e.StartsWith("cameras[0].privacy_masks[0].polygon: has no area"));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].privacy_masks[1].polygon: needs at least 3 points"));
    }
}
