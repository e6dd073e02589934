using System.Globalization;
using System.Text.Json;

namespace Vigie.Video;

/// <summary>
/// What ffprobe says of a source's video stream: the one marked default, as a player shows it, else the first;
/// never a cover picture.
/// </summary>
/// <param name="Width">Pictures' stored width, in the stream's own pixels (see <paramref name="PixelAspect"/>).</param>
/// <param name="Interlaced">Coded as two fields per frame (analogue cameras, DVR exports): moving edges comb unless deinterlaced.</param>
/// <param name="PixelAspect">
/// How much wider than tall each stored pixel is shown (the stream's sample aspect ratio): 1 for most cameras;
/// 64/45 for 16:9 stored on a 720x576 raster, 12/11 for a 704x576 DVR export, 4/5 for analogue 960H.
/// </param>
public sealed record StreamInfo(
    int Width,
    int Height,
    double Fps,
    TimeSpan? Duration,
    string Codec,
    DateTimeOffset? CreationTime,
    bool Interlaced = false,
    double PixelAspect = 1)
{
    /// <summary>
    /// Its index among the source's streams, for ffmpeg to decode this one: left to choose, ffmpeg weighs the
    /// default mark and the picture size its own way, and frames of another stream would be read at this one's size.
    /// </summary>
    public int StreamIndex { get; init; }

    /// <summary>Pixels as wide as tall, within a percent (encoders round the ratio they store). Pure.</summary>
    public static bool IsSquare(double pixelAspect) => Math.Abs(pixelAspect - 1) < 0.01;

    /// <summary>
    /// What reading the stream changes besides the size, for the user to see next to the source's name:
    /// deinterlacing, and pixels made square (the frames of <paramref name="frameWidth"/>×<paramref name="frameHeight"/>
    /// then look unlike the stored ones). Null when nothing. Pure.
    /// </summary>
    public string? Adjustments(int frameWidth, int frameHeight)
    {
        var said = new List<string>();
        if (Interlaced) said.Add("interlaced: deinterlaced");
        if (!IsSquare(PixelAspect))
            said.Add(string.Create(CultureInfo.InvariantCulture,
                $"pixels {PixelAspect:0.##} times as wide as tall: analysed in square pixels at {frameWidth}x{frameHeight}"));
        return said.Count == 0 ? null : string.Join("; ", said);
    }

    /// <summary>Parses `ffprobe -print_format json -show_streams -show_format` output. Pure, tested on saved outputs.</summary>
    public static StreamInfo ParseFfprobeJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (!root.TryGetProperty("streams", out var streams))
            throw new InvalidDataException("ffprobe reported no streams");
        var videos = streams.EnumerateArray()
            .Where(s => s.TryGetProperty("codec_type", out var t) && t.GetString() == "video" && !Marked(s, "attached_pic")).ToList();
        JsonElement? video = videos.Count == 0 ? null : videos.FirstOrDefault(s => Marked(s, "default"), videos[0]);
        if (video is not { } v) throw new InvalidDataException("the source has no video stream");
        var width = v.TryGetProperty("width", out var w) ? w.GetInt32() : 0;
        var height = v.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
        if (width <= 0 || height <= 0) throw new InvalidDataException("the video stream has no frame size (unsupported or damaged)");
        // A stream may declare nonsense (1:100 after a bad edit): beyond a fourfold stretch, pixels are taken as square.
        var pixelAspect = Ratio(v, "sample_aspect_ratio", ':') is { } stated and >= 0.25 and <= 4 ? stated : 1;
        // Phones store a portrait clip as landscape pictures plus a rotation, and ffmpeg turns each
        // picture upright as it decodes: the frames that reach us have the sides swapped, and their pixels' shape.
        if (QuarterTurns(v) % 2 == 1) (width, height, pixelAspect) = (height, width, 1 / pixelAspect);
        // Containers get these wrong both ways (an AVI header may double avg_frame_rate, a phone's
        // variable-rate MP4 inflates r_frame_rate): the smaller of the two is the real rate in practice.
        var rates = new[] { Ratio(v, "avg_frame_rate"), Ratio(v, "r_frame_rate") }.OfType<double>().ToList();
        var fps = rates.Count > 0 ? rates.Min() : 0;
        // The frame count declared in the header survives truncation (an AVI's index does not), so it
        // is what lets a cut recording be recognised as such.
        var declared = v.TryGetProperty("nb_frames", out var nb) && long.TryParse(nb.GetString(), CultureInfo.InvariantCulture, out var frames)
            && frames > 0 && Ratio(v, "avg_frame_rate") is { } avg ? frames / avg : (double?)null;
        var duration = declared ?? Seconds(v, "duration")
            ?? (root.TryGetProperty("format", out var f) ? Seconds(f, "duration") : null);
        var codec = v.TryGetProperty("codec_name", out var c) ? c.GetString() ?? "unknown" : "unknown";
        DateTimeOffset? created = null;
        foreach (var holder in new[] { v, root.TryGetProperty("format", out var fmt) ? fmt : default })
            if (holder.ValueKind == JsonValueKind.Object && holder.TryGetProperty("tags", out var tags)
                && tags.TryGetProperty("creation_time", out var ct)
                && DateTimeOffset.TryParse(ct.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                created = parsed;
                break;
            }
        var interlaced = v.TryGetProperty("field_order", out var order) && order.GetString() is "tt" or "bb" or "tb" or "bt";
        return new StreamInfo(width, height, fps, duration is > 0 ? TimeSpan.FromSeconds(duration.Value) : null, codec, created, interlaced, pixelAspect)
        {
            StreamIndex = v.TryGetProperty("index", out var index) ? index.GetInt32() : 0,
        };
    }

    /// <summary>Whether a stream carries this disposition: "default", or "attached_pic" (a cover picture, not footage).</summary>
    private static bool Marked(JsonElement stream, string disposition) =>
        stream.TryGetProperty("disposition", out var d) && d.TryGetProperty(disposition, out var a) && a.ValueKind == JsonValueKind.Number && a.GetInt32() == 1;

    /// <summary>The display rotation in quarter turns (0–3): the display matrix, else the older `rotate` tag.</summary>
    private static int QuarterTurns(JsonElement video)
    {
        double? degrees = null;
        if (video.TryGetProperty("side_data_list", out var sides) && sides.ValueKind == JsonValueKind.Array)
            foreach (var side in sides.EnumerateArray())
                if (side.TryGetProperty("rotation", out var r) && r.ValueKind == JsonValueKind.Number)
                    degrees = r.GetDouble();
        if (degrees is null && video.TryGetProperty("tags", out var tags) && tags.TryGetProperty("rotate", out var tag)
            && double.TryParse(tag.GetString(), CultureInfo.InvariantCulture, out var tagged))
            degrees = tagged;
        var turns = (int)Math.Round((degrees ?? 0) / 90);
        return ((turns % 4) + 4) % 4;
    }

    /// <summary>A positive ratio written "n/d" (frame rates) or "n:d" (aspect ratios); null when absent, "0/0", "0:1" or "N/A".</summary>
    private static double? Ratio(JsonElement e, string name, char separator = '/')
    {
        if (!e.TryGetProperty(name, out var p) || p.GetString() is not { } text) return null;
        var parts = text.Split(separator);
        if (parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var n)
            && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var d) && n > 0 && d > 0)
            return n / d;
        return null;
    }

    private static double? Seconds(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String
        && double.TryParse(p.GetString(), CultureInfo.InvariantCulture, out var s) ? s : null;
}
