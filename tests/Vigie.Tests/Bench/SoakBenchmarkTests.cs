using Vigie.Bench;
using Vigie.Video;

namespace Vigie.Tests.Bench;

public class SoakBenchmarkTests
{
    private static SoakSample At(double minutes, double workingSetMb, double managedMb = 5) => new(minutes, minutes, workingSetMb, managedMb, 70);

    [Fact]
    public void Growth_is_read_on_the_second_half_so_the_start_up_does_not_count_as_a_leak()
    {
        // Models and buffers take 200 MB in the first minutes, then nothing more.
        var flat = new SoakResult([At(0, 30), At(5, 230), At(10, 240), At(20, 240), At(30, 241), At(40, 240), At(50, 241), At(60, 240)], 60, 0, 0, 0);
        Assert.InRange(flat.GrowthMbPerHour(s => s.WorkingSetMb), -3, 3);

        // A frame's picture kept by mistake on every frame: a steady 1 MB a minute after the start.
        var leaking = new SoakResult([.. Enumerable.Range(0, 13).Select(i => At(5 * i, i == 0 ? 30 : 230 + 5 * i, managedMb: 5 + 5 * i))], 60, 0, 0, 0);
        Assert.Equal(60, leaking.GrowthMbPerHour(s => s.WorkingSetMb), 6);
        Assert.Equal(60, leaking.GrowthMbPerHour(s => s.ManagedHeapMb), 6);
    }

    [Fact]
    public async Task A_missing_clip_is_named_before_anything_is_made()
    {
        var folder = TestPaths.TempFolder();
        var error = await Assert.ThrowsAsync<VideoSourceException>(() =>
            SoakBenchmark.MakeRecordingAsync(Path.Combine(folder, "gone.mp4"), folder, TimeSpan.FromMinutes(1), _ => { }, CancellationToken.None));
        Assert.Contains("gone.mp4: no such file", error.Message);
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public async Task A_short_soak_replays_the_clip_and_samples_memory_as_the_footage_goes_by()
    {
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "scene.mp4");
        SyntheticScene.Default.WriteVideo(clip);

        var recording = await SoakBenchmark.MakeRecordingAsync(clip, folder, TimeSpan.FromMinutes(1), _ => { }, CancellationToken.None);
        var result = await SoakBenchmark.RunAsync(recording, model: null, TimeSpan.FromSeconds(10), _ => { }, CancellationToken.None);

        // 14 s replayed five times: 70 s of footage at 5 frames a second.
        Assert.InRange(result.FramesAnalysed, 340, 360);
        Assert.InRange(result.Samples.Count, 7, 8);
        Assert.Equal(0, result.Samples[0].VideoMinutes);
        Assert.True(result.Samples.Zip(result.Samples.Skip(1)).All(p => p.Second.VideoMinutes > p.First.VideoMinutes));
        Assert.All(result.Samples, s => Assert.True(s.WorkingSetMb > 0 && s.ManagedHeapMb > 0 && s.DecoderMb > 0));
        // Each replay brings the clip's walkers again: their tracks end at each cut.
        Assert.True(result.TracksEnded >= 5, $"{result.TracksEnded} tracks ended");
        var section = SoakBenchmark.ToMarkdown(result, clip, null, "test machine", DateTimeOffset.UnixEpoch);
        Assert.Contains("for 1.2 minutes of footage", section);
        Assert.Contains("the motion detector", section);
        Assert.Equal(result.Samples.Count, section.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal) && char.IsDigit(l[2])));
    }
}
