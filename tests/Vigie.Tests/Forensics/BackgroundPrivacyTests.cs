using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using Vigie.Config;
using Vigie.Forensics;
using Vigie.Video;
using static Vigie.Tests.Video.ForegroundPrivacyTests;

namespace Vigie.Tests.Forensics;

/// <summary>People who stood still through a recording are part of its background: they must not be shown there.</summary>
public class BackgroundPrivacyTests
{
    // On the plaza (1280×720): a group of four standing and talking through the whole clip, and empty paving.
    private static readonly Rect Group = new(225, 320, 110, 110);
    private static readonly Rect Paving = new(900, 420, 200, 150);

    private static DetectorConfig Yolox => new() { Type = "onnx", Model = TestPaths.Model("yolox_nano.onnx"), Format = "yolox" };

    [Fact]
    public void People_standing_in_a_background_are_pixelated_and_the_empty_scenery_is_left_alone()
    {
        using var frame = TestPaths.FrameAt("pedestrians/vtest.avi", 5);
        using var original = frame.Clone();
        using var people = BackgroundPrivacy.For(Yolox)!;

        var found = people.HidePeople(frame, PrivacyFilter.PeopleOnly);

        // 46 counted by hand; both tilings find most, some twice.
        Assert.True(found >= 35, $"{found} people found");
        Assert.True(Detail(frame, Group) < 0.5 * Detail(original, Group), "the standing group is pixelated");
        using var paving = new Mat();
        Cv2.Absdiff(new Mat(frame, Paving), new Mat(original, Paving), paving);
        Assert.Equal(0, Cv2.CountNonZero(paving.Reshape(1)));
        Assert.Null(BackgroundPrivacy.For(new DetectorConfig { Type = "motion" }));
    }

    [Fact]
    public async Task The_index_background_of_the_plaza_hides_the_group_that_stood_through_it()
    {
        var folder = TestPaths.TempFolder();
        var config = new SceneConfig { Detector = Yolox };
        await Indexer.RunAsync(new IndexRequest([TestPaths.Clip("pedestrians/vtest.avi")], config, folder, () => PrivacyFilter.PeopleOnly),
            null, NullLogger.Instance, CancellationToken.None);
        using var index = TrackIndex.OpenExisting(folder);
        var stored = Assert.Single(index.Recordings()).Background;
        using var background = Cv2.ImRead(Path.Combine(folder, stored!));
        using var capture = new VideoCapture(TestPaths.Clip("pedestrians/vtest.avi"));
        using var frame = new Mat();
        Assert.True(capture.Read(frame));
        Assert.Equal(frame.Size(), background.Size());
        Assert.True(Detail(background, Group) < 0.5 * Detail(frame, Group),
            $"detail {Detail(background, Group):P0} where the group stands, {Detail(frame, Group):P0} on a frame");
    }
}
