using Vigie.Video;

namespace Vigie.Evaluation;

/// <summary>
/// An altered copy of annotated footage: the same events on pictures unlike the clips (mirrored, smaller,
/// underexposed, badly compressed, swaying, black and white), to see whether settings tuned on a few clips hold on other cameras.
/// </summary>
/// <param name="VideoFilter">ffmpeg filter that makes the copy; null re-encodes only.</param>
/// <param name="Mirrors">The picture is flipped left to right: zones, lines, directions and boxes are flipped with it.</param>
public sealed record FootageVariant(string Name, string Alteration, string? VideoFilter, bool Mirrors, IReadOnlyList<string> Encoding);

public static class FootageVariants
{
    private static readonly string[] Faithful = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"];

    public static readonly IReadOnlyList<FootageVariant> All =
    [
        new("mirrored", "flipped left to right, zones, lines and directions with it", "hflip", true, Faithful),
        new("smaller", "60 % of the width and height", "scale=trunc(iw*0.6/2)*2:trunc(ih*0.6/2)*2", false, Faithful),
        new("underexposed", "darker, flatter and paler, with sensor noise: dusk, a cheap camera",
            "eq=brightness=-0.12:contrast=0.7:saturation=0.7,noise=alls=10:allf=t", false, Faithful),
        // The same light without the noise: a good camera in a dim place. Side by side, the two tell what the dark costs
        // from what the grain costs (the small detectors lose people in the grain; the dark alone showed a false fall
        // that neither the original nor the grainy copy had).
        new("dim", "darker, flatter and paler without noise: a good camera in a dim place",
            "eq=brightness=-0.12:contrast=0.7:saturation=0.7", false, Faithful),
        // One encoder thread: x264's rate control on several threads gives a different copy each time, and
        // with it different results, at a bitrate where a few bits decide whether a fallen person is seen.
        new("low-bitrate", "re-encoded at 250 kbit/s: a congested link, a cheap recorder", null, false,
            ["-c:v", "libx264", "-preset", "veryfast", "-b:v", "250k", "-maxrate", "300k", "-bufsize", "600k", "-pix_fmt", "yuv420p", "-threads", "1"]),
        // Many recorders keep their footage at a few images a second to save disk: people move further between two
        // images than at the analysis' 5 a second, and a fall takes two or three images.
        new("low-frame-rate", "3 images a second, as many recorders keep their footage", "fps=3", false, Faithful),
        // A pole-mounted camera in the wind: the view drifts by up to 6 % of the picture each way, on two slow
        // unrelated periods so it never quite repeats. Zones stay where they were given: the sway is about them.
        new("swaying", "the view sways by up to 6 % of the picture, like a camera on a pole in the wind",
            "crop=w=trunc(iw*0.94/2)*2:h=trunc(ih*0.94/2)*2:x=(iw-ow)/2*(1+sin(2*PI*t/3)):y=(ih-oh)/2*(1+sin(2*PI*t/2.3+1)),"
            + "scale=trunc(iw/0.94/2)*2:trunc(ih/0.94/2)*2", false, Faithful),
        // Most surveillance cameras switch to infrared at night: no colour, more grain (on the brightness only; noise on
        // every plane would bring colour back). Only roughly that: real infrared also changes how materials look (skin
        // and leaves bright, some dark clothes pale).
        new("night", "black and white with grain, like a camera in night (infrared) mode",
            "hue=s=0,noise=c0s=12:c0f=t", false, Faithful),
    ];

    /// <summary>Variants named on the command line, comma-separated, or "all"; an unknown name is an error naming the option (ArgumentException).</summary>
    public static IReadOnlyList<FootageVariant> Parse(string names)
    {
        if (names.Trim() == "all") return All;
        var chosen = new List<FootageVariant>();
        foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            chosen.Add(All.FirstOrDefault(v => v.Name == name)
                ?? throw new ArgumentException($"--variants: '{name}' is not one of all, {string.Join(", ", All.Select(v => v.Name))}"));
        if (chosen.Count == 0) throw new ArgumentException("--variants: name at least one variant, or all");
        return chosen.Distinct().ToList();
    }

    /// <summary>
    /// The truth file of a variant: each clip renamed to its copy in the variant's folder (numbered, so two
    /// clips of the same name in different folders stay apart) and, for a mirrored picture, its scene and
    /// boxes mirrored. Pure.
    /// </summary>
    public static TruthFile Apply(TruthFile truth, FootageVariant variant) =>
        truth with
        {
            Clips = truth.Clips.Select((clip, i) => clip with
            {
                File = CopyName(i, clip.File),
                Scene = variant.Mirrors ? Mirror(clip.Scene) : clip.Scene,
                Events = variant.Mirrors ? clip.Events.Select(e => e with { Box = MirrorBox(e.Box) }).ToList() : clip.Events,
            }).ToList(),
        };

    public static string CopyName(int clip, string file) => $"{clip + 1:D2}-{Path.GetFileNameWithoutExtension(file)}.mp4";

    private static TruthScene? Mirror(TruthScene? scene) =>
        scene is null ? null : new TruthScene(
            scene.Zones?.Select(z => z with
            {
                Polygon = z.Polygon.Select(MirrorPoint).ToList(),
                AllowedDirection = z.AllowedDirection is [var dx, var dy] ? [-dx, dy] : z.AllowedDirection,
            }).ToList(),
            // Seen from 'from' looking at 'to', left and right swap in a mirror.
            scene.Lines?.Select(l => l with
            {
                From = MirrorPoint(l.From),
                To = MirrorPoint(l.To),
                Forbidden = l.Forbidden switch { "left_to_right" => "right_to_left", "right_to_left" => "left_to_right", var f => f },
            }).ToList(),
            scene.Calibration is { } c ? c with { Image = c.Image.Select(MirrorPoint).ToList() } : null);

    private static IReadOnlyList<double> MirrorPoint(IReadOnlyList<double> p) => p is [var x, var y] ? [1 - x, y] : p;

    private static IReadOnlyList<double>? MirrorBox(IReadOnlyList<double>? box) => box is [var x, var y, var w, var h] ? [1 - x - w, y, w, h] : box;

    /// <summary>
    /// Makes the copy of one clip unless an up-to-date one is there (then false); written under a temporary
    /// name and renamed, so an interrupted run never leaves a truncated copy to be taken for a finished one.
    /// </summary>
    public static async Task<bool> MakeCopyAsync(string source, string target, FootageVariant variant, CancellationToken ct)
    {
        if (!File.Exists(source)) throw new VideoSourceException($"{source}: no such file");
        if (File.Exists(target) && File.GetLastWriteTimeUtc(target) >= File.GetLastWriteTimeUtc(source)) return false;
        var partial = target + ".partial.mp4";
        // The stream the analysis reads (FfmpegSource: the default video, else the first), not ffmpeg's own pick.
        int stream;
        await using (var probe = await FfmpegSource.OpenAsync(source, new DecodeOptions(), ct))
            stream = probe.Info.StreamIndex;
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", source, "-map", $"0:{stream}", "-an", "-sn", "-dn" };
        if (variant.VideoFilter is { } filter) args.AddRange(["-vf", filter]);
        args.AddRange(variant.Encoding);
        args.Add(partial);
        var (code, _, stderr) = await FfmpegSource.RunToEndAsync("ffmpeg", args, TimeSpan.FromMinutes(30), ct);
        if (code != 0)
        {
            File.Delete(partial);
            throw new VideoSourceException($"{source}: cannot make its {variant.Name} copy: {FfmpegSource.Summarise(stderr, code)}");
        }
        File.Move(partial, target, overwrite: true);
        return true;
    }
}
