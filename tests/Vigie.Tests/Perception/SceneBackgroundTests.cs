using OpenCvSharp;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class SceneBackgroundTests
{
    [Fact]
    public void The_middle_value_is_the_one_a_sort_puts_in_the_middle()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 2000; trial++)
        {
            // Few distinct values as often as many: ties are where a partition goes wrong.
            var values = new byte[random.Next(1, 41)];
            var spread = trial % 2 == 0 ? 4 : 256;
            for (int i = 0; i < values.Length; i++) values[i] = (byte)random.Next(spread);
            var sorted = values.Order().ToArray();
            Assert.Equal(sorted[values.Length / 2], SceneBackground.Middle(values));
        }
    }

    private static List<Mat> Frames(params int[] values) => values.Select(v => new Mat(2, 2, MatType.CV_8UC3, Scalar.All(v))).ToList();

    [Fact]
    public void Someone_passing_in_front_is_left_out()
    {
        // A grey wall (100) on seven frames, a passer-by (230) on three.
        var frames = Frames(100, 230, 230, 230, 100, 100, 100, 100, 100, 100);
        using var background = SceneBackground.Median(frames);
        Assert.Equal(new Vec3b(100, 100, 100), background.At<Vec3b>(1, 1));
        foreach (var m in frames) m.Dispose();
    }

    [Fact]
    public void Someone_standing_most_of_the_time_is_left_out_where_marked_as_occupied()
    {
        // Someone standing (30) on six frames, marked as occupying the place; the wall (100) on three, a passer-by on one.
        var frames = Frames(30, 30, 30, 100, 30, 30, 100, 230, 30, 100);
        var occupied = frames.Select(f => new Mat(2, 2, MatType.CV_8UC1, Scalar.All(f.At<Vec3b>(0, 0).Item0 == 30 ? 255 : 0))).ToList();
        using (var plain = SceneBackground.Median(frames)) Assert.Equal(30, plain.At<Vec3b>(1, 1).Item0);
        using (var masked = SceneBackground.Median(frames, occupied)) Assert.Equal(100, masked.At<Vec3b>(1, 1).Item0);
        foreach (var m in frames.Concat(occupied)) m.Dispose();
    }
}
