using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Vigie.Video;

/// <param name="SimulateLive">Read a file at its own pace (ffmpeg -re) and treat it as a live camera: for benchmarks and demos.</param>
/// <param name="SkipUnreferencedFrames">
/// When a recording is analysed at under half its frame rate, do not decode frames no other frame
/// depends on (B-frames): decoding costs up to half as much, but the sampled frames are then the
/// nearest decoded ones, unevenly spaced in time, which upsets the flicker and optical-flow cues
/// (fire, crowd movement). Off by default; for forensic indexing of object tracks.
/// </param>
/// <param name="SkipDeblocking">
/// Do not run the codec's deblocking filter (H.264, HEVC): about a fifth of the decoding work. Frames
/// keep faint block edges, and since the filter is part of the reference pictures the error grows
/// slightly until the next key frame. Off by default; for forensic indexing, where decoding is most
/// of the cost (see docs/BENCHMARKS.md for its measured effect on detections).
/// </param>
public sealed record DecodeOptions(
    double Fps = 5,
    int MaxWidth = 1280,
    int Threads = 1,
    TimeSpan? StallTimeout = null,
    bool SimulateLive = false,
    bool SkipUnreferencedFrames = false,
    bool SkipDeblocking = false)
{
    /// <summary>
    /// For a file: decode only this stretch of it (start, length), e.g. one core's share of a recording.
    /// Frame timestamps stay relative to the start of the file.
    /// </summary>
    public (TimeSpan Start, TimeSpan Length)? Excerpt { get; init; }
}

/// <summary>
/// Decodes files and camera streams with Debian's ffmpeg as a child process: ffmpeg samples and scales
/// (so only analysed frames cross the pipe) and writes raw BGR frames to stdout; the showinfo filter
/// reports each frame's presentation time on stderr, so timestamps come from the stream.
/// </summary>
public sealed partial class FfmpegSource : IFrameSource
{
    private readonly DecodeOptions _options;
    private readonly FramePool _pool;
    private readonly List<FootageGap> _gaps = [];

    public IReadOnlyList<FootageGap> Gaps => _gaps;

    private FfmpegSource(string location, bool isLive, StreamInfo info, DecodeOptions options)
    {
        Location = location;
        IsLive = isLive;
        Info = info;
        _options = options;
        var (squareWidth, squareHeight) = SquarePixels(info.Width, info.Height, info.PixelAspect);
        (FrameWidth, FrameHeight) = OutputSize(squareWidth, squareHeight, options.MaxWidth);
        _pool = new FramePool(FrameWidth, FrameHeight);
        // ffmpeg's swscale spends about as long shrinking and converting a 1080p frame as decoding its
        // share of the stream: shrinking the YUV planes with OpenCV and converting the small picture is
        // several times cheaper, so ffmpeg hands over the decoded picture as it is.
        _shrinkHere = (FrameWidth != info.Width || FrameHeight != info.Height) && info.Width % 2 == 0 && info.Height % 2 == 0;
    }

    private readonly bool _shrinkHere;
    private OpenCvSharp.Mat? _decoded;
    private OpenCvSharp.Mat? _shrunk;

    public string Location { get; }
    public bool IsLive { get; }
    public StreamInfo Info { get; }
    public int FrameWidth { get; }
    public int FrameHeight { get; }

    public static bool IsUrl(string location) =>
        location.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The address's user and password hidden wherever the message (ffmpeg's words included) repeats them.</summary>
    private static VideoSourceException Failure(string location, string message, Exception? inner = null) =>
        new(Credentials.HiddenIn(message, location), inner);

    public static async Task<FfmpegSource> OpenAsync(string location, DecodeOptions options, CancellationToken ct = default)
    {
        var isLive = IsUrl(location) || options.SimulateLive;
        if (!IsUrl(location) && !File.Exists(location)) throw Failure(location, $"{location}: no such file");
        var args = new List<string> { "-v", "error", "-print_format", "json", "-show_streams", "-show_format" };
        args.AddRange(InputArguments(location, IsUrl(location), probe: true));
        var (code, stdout, stderr) = await RunToEndAsync("ffprobe", args, TimeSpan.FromSeconds(isLive ? 20 : 60), ct);
        if (code != 0)
        {
            // ffprobe names the input again ("rtsp://…: Connection refused"): said once.
            var why = Summarise(stderr, code);
            throw Failure(location, $"{location}: cannot open: {(why.StartsWith(location + ": ", StringComparison.Ordinal) ? why[(location.Length + 2)..] : why)}");
        }
        StreamInfo info;
        try
        {
            info = StreamInfo.ParseFfprobeJson(stdout);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            throw Failure(location, $"{location}: {e.Message}", e);
        }
        return new FfmpegSource(location, isLive, info, options);
    }

    /// <summary>
    /// The picture's size in square pixels, as players show it: the detector was trained on square pixels and
    /// the rules read people's shapes (a fall is a box turning wide), so a 960H camera's people, stored a quarter
    /// too wide, or an anamorphic recording's, stored 30 % too narrow, are set right. The denser side is shrunk,
    /// never the other enlarged: no pixel is invented and the frame costs no more to analyse.
    /// </summary>
    public static (int Width, int Height) SquarePixels(int width, int height, double pixelAspect)
    {
        if (StreamInfo.IsSquare(pixelAspect)) return (width, height);
        return pixelAspect > 1 ? (width, Math.Max(2, (int)Math.Round(height / pixelAspect))) : (Math.Max(2, (int)Math.Round(width * pixelAspect)), height);
    }

    /// <summary>The size ffmpeg is asked to scale to: at most maxWidth wide, even dimensions.</summary>
    public static (int Width, int Height) OutputSize(int width, int height, int maxWidth)
    {
        if (maxWidth <= 0 || width <= maxWidth) return (width & ~1, height & ~1);
        var h = (int)Math.Round(height * (double)maxWidth / width / 2) * 2;
        return (maxWidth & ~1, Math.Max(2, h));
    }

    public async IAsyncEnumerable<Frame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var psi = OwnSession.For("ffmpeg", DecodeArguments());
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var process = OwnSession.Start(psi);
        var timestamps = new FrameTimestamps();
        var diagnostics = new List<string>();
        var stderrTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (ShowInfoLine(line) is { } shown) timestamps.Add(shown);
                else lock (diagnostics) { diagnostics.Add(line); if (diagnostics.Count > 50) diagnostics.RemoveAt(0); }
            }
            timestamps.Complete();
        }, CancellationToken.None);

        var frameBytes = _shrinkHere ? Info.Width * Info.Height * 3 / 2 : FrameWidth * FrameHeight * 3;
        var stdout = process.StandardOutput.BaseStream;
        var configured = _options.StallTimeout ?? TimeSpan.FromSeconds(10);
        // A file never waits on a network, but a huge frame may take a while to decode.
        var stall = IsLive ? configured : TimeSpan.FromTicks(Math.Max(configured.Ticks, TimeSpan.FromSeconds(60).Ticks));
        using var watchdog = new Watchdog(stall, () => TryKill(process));
        using var cancelRegistration = cancellationToken.Register(() => TryKill(process));
        long index = 0, delivered = 0, previousPosition = -1;
        var afterGap = false;
        double? firstPts = null;
        var nominalStep = SamplesFrames ? 1 / _options.Fps : Info.Fps > 0 ? 1 / Info.Fps : 0.04;
        var excerptStart = IsLive ? TimeSpan.Zero : _options.Excerpt?.Start ?? TimeSpan.Zero;
        TimeSpan lastTime = excerptStart;
        try
        {
            while (true)
            {
                var mat = _pool.Rent();
                int read;
                watchdog.Arm();
                try
                {
                    read = await Task.Run(() => _shrinkHere ? ReadAndShrink(stdout, mat, frameBytes) : ReadInto(stdout, mat, frameBytes),
                        CancellationToken.None);
                }
                catch
                {
                    _pool.Return(mat);
                    throw;
                }
                finally
                {
                    watchdog.Disarm();
                }
                if (read < frameBytes)
                {
                    _pool.Return(mat);
                    break;
                }
                var shown = await timestamps.WaitForAsync(index, TimeSpan.FromSeconds(2));
                // A camera's picture is read again as it now is, its size and shape measured anew (ffmpeg would stretch it
                // to the old size); a recording's goes on so stretched, rather than not at all.
                if (IsUrl(Location) && timestamps.RebuiltAt is { } rebuilt && index >= rebuilt)
                {
                    _pool.Return(mat);
                    throw Failure(Location, $"{Location}: the camera changed its picture (size or format) while streaming; opening it again to read it as it now is");
                }
                index++;
                // The fps filter fills a gap in a recording (a recorder that paused) with copies of the frame before it,
                // all read from the same place in the file: no new picture, and analysing them would make everything
                // in view stand still for the length of the gap. Not on a live camera, whose frames come with jitter:
                // there a copy keeps the analysis rate when a frame is late (and RTSP tells no position anyway).
                if (!IsLive && shown is { Position: >= 0 } copy && copy.Position == previousPosition)
                {
                    _pool.Return(mat);
                    afterGap = true;
                    continue;
                }
                previousPosition = shown?.Position ?? -1;
                var pts = shown?.PtsSeconds;
                firstPts ??= pts;
                // After a seek ffmpeg counts time from the seek point; otherwise from the stream's first frame.
                var t = pts is { } p && firstPts is { } f
                    ? excerptStart > TimeSpan.Zero ? excerptStart + TimeSpan.FromSeconds(Math.Max(0, p)) : TimeSpan.FromSeconds(p - f)
                    : lastTime + TimeSpan.FromSeconds(nominalStep);
                if (delivered > 0 && t <= lastTime) t = lastTime + TimeSpan.FromTicks(1);
                if (afterGap) _gaps.Add(new FootageGap(lastTime, t));
                afterGap = false;
                lastTime = t;
                yield return new Frame(mat, delivered++, t, _pool) { ReceivedAt = System.Diagnostics.Stopwatch.GetTimestamp() };
            }
        }
        finally
        {
            TryKill(process);
        }
        cancellationToken.ThrowIfCancellationRequested();
        await process.WaitForExitAsync(CancellationToken.None);
        await stderrTask;
        string[] messages;
        lock (diagnostics) messages = [.. diagnostics];
        if (watchdog.Fired)
            throw Failure(Location, $"{Location}: no frame received for {stall.TotalSeconds:0} s (stream stalled)");
        if (process.ExitCode != 0)
            throw Failure(Location, index == 0
                ? $"{Location}: cannot decode: {Summarise(string.Join('\n', messages), process.ExitCode)}"
                : $"{Location}: decoding failed after {lastTime.TotalSeconds:0.0} s: {Summarise(string.Join('\n', messages), process.ExitCode)}");
        if (index == 0)
            throw Failure(Location, $"{Location}: no frame could be decoded{(messages.Length > 0 ? ": " + Summarise(string.Join('\n', messages), 0) : "")}");
        if (IsUrl(Location))
            throw Failure(Location, $"{Location}: stream ended (disconnected) after {lastTime.TotalSeconds:0.0} s");
        var damage = messages.Where(IsDecodeError).ToList();
        if (damage.Count > 0)
            throw new VideoSourceException(
                $"{Location}: video is truncated or corrupt: {damage.Count} decoding error(s), frames analysed up to {lastTime.TotalSeconds:0.0} s ({Summarise(damage[^1], 0)})");
        if (ExpectedEnd() is { } d && IsTruncated(lastTime, d, nominalStep))
            throw new VideoSourceException(
                $"{Location}: video is truncated or corrupt: frames stop at {lastTime.TotalSeconds:0.0} s of {d.TotalSeconds:0.0} s"
                + (messages.Length > 0 ? $" ({Summarise(string.Join('\n', messages), 0)})" : ""));
    }

    /// <summary>Where the frames should stop: the end of the excerpt asked for, else of the file.</summary>
    private TimeSpan? ExpectedEnd() =>
        _options.Excerpt is { } e && !IsLive
            ? Info.Duration is { } d ? (e.Start + e.Length < d ? e.Start + e.Length : d) : null
            : Info.Duration;

    /// <summary>ffmpeg's complaints that mean the compressed data itself is damaged, not a warning.</summary>
    internal static bool IsDecodeError(string line) =>
        line.Contains("Error while decoding", StringComparison.OrdinalIgnoreCase)
        || line.Contains("Invalid data found when processing input", StringComparison.Ordinal)
        || line.Contains("error while decoding MB", StringComparison.Ordinal)
        || line.Contains("Truncating packet", StringComparison.Ordinal)
        || line.Contains("Packet corrupt", StringComparison.OrdinalIgnoreCase);

    /// <summary>The last frame came much earlier than the header's duration promised.</summary>
    public static bool IsTruncated(TimeSpan lastFrame, TimeSpan duration, double stepSeconds) =>
        duration.TotalSeconds - lastFrame.TotalSeconds > Math.Max(1.0, 0.05 * duration.TotalSeconds) + 2 * stepSeconds;

    private List<string> DecodeArguments()
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-threads", _options.Threads.ToString(CultureInfo.InvariantCulture) };
        if (_options.SimulateLive && !IsUrl(Location)) args.Add("-re");
        if (_options.SkipUnreferencedFrames && !IsLive && _options.Fps > 0 && Info.Fps >= 2 * _options.Fps) args.AddRange(["-skip_frame", "noref"]);
        if (_options.SkipDeblocking && !IsLive) args.AddRange(["-skip_loop_filter", "all"]);
        // No "-ss 0": on a file ffmpeg cannot seek in (an AVI without index) it loses the first seconds.
        if (_options.Excerpt is { } excerpt && !IsLive)
        {
            if (excerpt.Start > TimeSpan.Zero) args.AddRange(["-ss", Seconds(excerpt.Start)]);
            args.AddRange(["-t", Seconds(excerpt.Length)]);
        }
        args.AddRange(InputArguments(Location, IsUrl(Location), probe: false));
        var filters = new List<string>();
        if (IsUrl(Location)) filters.Add(StreamTimeGuard(Info.Fps, _options.StallTimeout ?? TimeSpan.FromSeconds(10)));
        // Before sampling: the deinterlacer needs the neighbouring frames. A frame per frame, each
        // made whole from its two fields; frames the decoder marks progressive pass untouched.
        if (Info.Interlaced) filters.Add("yadif=mode=send_frame:deint=interlaced");
        if (SamplesFrames) filters.Add($"fps={_options.Fps.ToString(CultureInfo.InvariantCulture)}");
        if ((FrameWidth != Info.Width || FrameHeight != Info.Height) && !_shrinkHere) filters.Add($"scale={FrameWidth}:{FrameHeight}");
        filters.Add("showinfo=checksum=0");
        // passthrough: the output stage must not duplicate or drop frames after showinfo has numbered them.
        args.AddRange(["-map", $"0:{Info.StreamIndex}", "-an", "-sn", "-dn", "-vf", string.Join(',', filters), "-fps_mode", "passthrough",
            "-pix_fmt", _shrinkHere ? "yuv420p" : "bgr24", "-f", "rawvideo", "pipe:1"]);
        return args;
    }

    /// <summary>
    /// A camera's stream time carried over a jump: a camera restarting its encoder within a session, or its RTP clock
    /// set anew, makes its timestamps leap. Forward, the fps filter would fill the leap with copies of the last picture
    /// (18,000 for an hour at 5 frames/s, a frozen scene in which everything stands still for an hour); back, it would
    /// drop every frame until the time came round again (seconds to hours of nothing). Each frame keeps the step from
    /// the one before unless that step goes back or is longer than the stall timeout (no frame can arrive later than
    /// that without the stream being restarted): then one frame's interval. A stream without jumps is left untouched.
    /// </summary>
    public static string StreamTimeGuard(double sourceFps, TimeSpan stallTimeout)
    {
        var step = sourceFps is > 0 and <= 120 ? 1 / sourceFps : 0.04;
        string S(double seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture);
        return $"setpts='if(eq(N,0),PTS,PREV_OUTPTS+if(between(PTS-PREV_INPTS,0,{S(stallTimeout.TotalSeconds)}/TB),PTS-PREV_INPTS,{S(step)}/TB))'";
    }

    /// <summary>
    /// Whether ffmpeg thins the frames to the analysis rate. A source slower than that rate (a 2 fps
    /// recorder, a 1 fps camera) keeps its own frames: the fps filter would repeat each one, and
    /// repeated frames look like motion that stops and jumps.
    /// </summary>
    private bool SamplesFrames => _options.Fps > 0 && !(Info.Fps > 0 && Info.Fps <= _options.Fps);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static IEnumerable<string> InputArguments(string location, bool isLive, bool probe)
    {
        // Only the picture is asked for: a camera's sound is never set up, so never sent (public-space VSA has no right
        // to it), and its RTCP reports cannot re-time the video's frames (with several streams ffmpeg times them by those).
        string[] rtsp = ["-rtsp_transport", "tcp", "-allowed_media_types", "video", "-timeout", "5000000"];
        if (location.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase))
            return probe ? [.. rtsp, location] : [.. rtsp, "-i", location];
        // MJPEG over HTTP carries no timestamps: the arrival time is the only honest frame time.
        if (isLive)
            return probe ? ["-rw_timeout", "5000000", location]
                : ["-rw_timeout", "5000000", "-use_wallclock_as_timestamps", "1", "-i", location];
        return probe ? [location] : ["-i", location];
    }

    /// <summary>Reads one I420 picture at the source size; shrinks its three planes and converts the small picture into the frame.</summary>
    private int ReadAndShrink(Stream stream, OpenCvSharp.Mat frame, int length)
    {
        int w = Info.Width, h = Info.Height, fw = FrameWidth, fh = FrameHeight;
        _decoded ??= new OpenCvSharp.Mat(h * 3 / 2, w, OpenCvSharp.MatType.CV_8UC1);
        _shrunk ??= new OpenCvSharp.Mat(fh * 3 / 2, fw, OpenCvSharp.MatType.CV_8UC1);
        var read = ReadInto(stream, _decoded, length);
        if (read < length) return read;
        var from = _decoded.Data;
        var to = _shrunk.Data;
        Shrink(from, w, h, to, fw, fh);
        Shrink(from + w * h, w / 2, h / 2, to + fw * fh, fw / 2, fh / 2);
        Shrink(from + w * h + w * h / 4, w / 2, h / 2, to + fw * fh + fw * fh / 4, fw / 2, fh / 2);
        OpenCvSharp.Cv2.CvtColor(_shrunk, frame, OpenCvSharp.ColorConversionCodes.YUV2BGR_I420);
        return read;
    }

    private static void Shrink(IntPtr source, int width, int height, IntPtr target, int targetWidth, int targetHeight)
    {
        using var a = OpenCvSharp.Mat.FromPixelData(height, width, OpenCvSharp.MatType.CV_8UC1, source);
        using var b = OpenCvSharp.Mat.FromPixelData(targetHeight, targetWidth, OpenCvSharp.MatType.CV_8UC1, target);
        OpenCvSharp.Cv2.Resize(a, b, new OpenCvSharp.Size(targetWidth, targetHeight), 0, 0, OpenCvSharp.InterpolationFlags.Linear);
    }

    private static unsafe int ReadInto(Stream stream, OpenCvSharp.Mat mat, int length)
    {
        var span = new Span<byte>((void*)mat.Data, length);
        return stream.ReadAtLeast(span, length, throwOnEndOfStream: false);
    }

    /// <summary>An output frame's number, time, and byte position in the input (-1 when the input does not tell).</summary>
    internal readonly record struct ShowInfo(long Index, double PtsSeconds, long Position);

    [GeneratedRegex(@"Parsed_showinfo.*\bn:\s*(\d+)\s+pts:\s*-?\d+\s+pts_time:\s*(-?[\d.e+-]+)(?:\s+pos:\s*(-?\d+))?")]
    private static partial Regex ShowInfoRegex();

    /// <summary>Reads a frame's number, time and input position from one line of ffmpeg's showinfo filter.</summary>
    internal static ShowInfo? ShowInfoLine(string line)
    {
        if (!line.Contains("Parsed_showinfo", StringComparison.Ordinal)) return null;
        var m = ShowInfoRegex().Match(line);
        if (!m.Success) return new ShowInfo(-1, double.NaN, -1);
        return new ShowInfo(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            m.Groups[3].Success ? long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : -1);
    }

    /// <summary>Keeps the last meaningful line of ffmpeg's complaints for the user.</summary>
    internal static string Summarise(string stderr, int exitCode)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Stream #", StringComparison.Ordinal) && !l.StartsWith("Input #", StringComparison.Ordinal)
                && !l.StartsWith("Output #", StringComparison.Ordinal) && !l.StartsWith("Metadata", StringComparison.Ordinal)
                && !l.StartsWith("Duration", StringComparison.Ordinal) && !l.Contains("Press [q]", StringComparison.Ordinal)
                && !l.StartsWith("Stream mapping", StringComparison.Ordinal) && !l.Contains("->", StringComparison.Ordinal)
                && !l.StartsWith("[Parsed_showinfo", StringComparison.Ordinal) && !l.StartsWith("configuration:", StringComparison.Ordinal)
                // Its closing statistics ("frame=  22 fps=…", "video:18841kB audio:0kB …") say nothing of what went wrong.
                && !l.StartsWith("frame=", StringComparison.Ordinal) && !l.StartsWith("video:", StringComparison.Ordinal))
            .ToList();
        var best = lines.LastOrDefault(l => l.Contains("rror", StringComparison.Ordinal) || l.Contains("nvalid", StringComparison.Ordinal)
                       || l.Contains("refused", StringComparison.Ordinal) || l.Contains("not found", StringComparison.Ordinal)
                       || l.Contains("No such", StringComparison.Ordinal) || l.Contains("timed out", StringComparison.Ordinal)
                       || l.Contains("Unsupported", StringComparison.OrdinalIgnoreCase) || l.Contains("corrupt", StringComparison.OrdinalIgnoreCase)
                       || l.Contains("partial file", StringComparison.Ordinal))
                   ?? lines.LastOrDefault();
        return best is null ? $"ffmpeg exited with code {exitCode}" : StripContext(best);
    }

    private static string StripContext(string line) =>
        line.StartsWith('[') && line.IndexOf("] ", StringComparison.Ordinal) is var i and > 0 ? line[(i + 2)..] : line;

    internal static async Task<(int Code, string Stdout, string Stderr)> RunToEndAsync(string file, IEnumerable<string> args,
        TimeSpan timeout, CancellationToken ct)
    {
        var psi = OwnSession.For(file, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = OwnSession.Start(psi);
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            TryKill(p);
            return (-1, "", $"no answer within {timeout.TotalSeconds:0} s (timed out)");
        }
        var error = await stderr;
        if (p.ExitCode != 0 && OwnSession.Missing(file, error) is { } missing) throw new VideoSourceException(missing);
        return (p.ExitCode, await stdout, error);
    }

    private static void TryKill(Process p)
    {
        try
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public ValueTask DisposeAsync()
    {
        _pool.Dispose();
        _decoded?.Dispose();
        _shrunk?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Frame times announced on stderr, matched to frames read from stdout by index. Waiting for one
    /// holds no thread: a blocked wait took a pool thread per camera, and on a busy machine the stderr
    /// reader then found none free in time, so frames got guessed times.
    /// </summary>
    private sealed class FrameTimestamps
    {
        private readonly Dictionary<long, ShowInfo> _pts = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _complete;
        private long _counted, _last = -1;

        /// <summary>
        /// The frame that ffmpeg's filters began again with: a picture changing size or format mid-stream makes ffmpeg
        /// build its filters anew, and showinfo counts from 0 again (it was waited for 2 s a frame, as missing: a 12-s
        /// recording changing size took a minute). Null while it has not happened.
        /// </summary>
        public long? RebuiltAt
        {
            get
            {
                lock (_pts) return _rebuiltAt;
            }
        }

        private long? _rebuiltAt;

        public void Add(ShowInfo shown)
        {
            if (shown.Index < 0 || double.IsNaN(shown.PtsSeconds)) return;
            TaskCompletionSource changed;
            lock (_pts)
            {
                if (shown.Index <= _last)
                {
                    _counted += _last + 1;
                    _rebuiltAt ??= _counted;
                }
                _last = shown.Index;
                _pts[_counted + shown.Index] = shown;
                changed = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            changed.SetResult();
        }

        public void Complete()
        {
            TaskCompletionSource changed;
            lock (_pts)
            {
                _complete = true;
                changed = _changed;
            }
            changed.TrySetResult();
        }

        public async ValueTask<ShowInfo?> WaitForAsync(long index, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                Task changed;
                lock (_pts)
                {
                    if (_pts.Remove(index, out var pts)) return pts;
                    if (_complete) return null;
                    changed = _changed.Task;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return null;
                try
                {
                    await changed.WaitAsync(left);
                }
                catch (TimeoutException)
                {
                    return null;
                }
            }
        }
    }

    /// <summary>Kills a stalled decoder: ffmpeg's own timeouts do not cover a frozen RTSP/TCP server.</summary>
    private sealed class Watchdog : IDisposable
    {
        private readonly Timer _timer;
        private readonly TimeSpan _limit;
        private readonly Action _onStall;
        private long _armedAt = -1;

        public Watchdog(TimeSpan limit, Action onStall)
        {
            _limit = limit;
            _onStall = onStall;
            _timer = new Timer(_ => Check(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        }

        public bool Fired { get; private set; }

        /// <summary>Starts timing a wait for the next frame; time spent by a slow consumer does not count.</summary>
        public void Arm() => Interlocked.Exchange(ref _armedAt, Environment.TickCount64);

        public void Disarm() => Interlocked.Exchange(ref _armedAt, -1);

        private void Check()
        {
            var armedAt = Interlocked.Read(ref _armedAt);
            if (Fired || armedAt < 0 || Environment.TickCount64 - armedAt < _limit.TotalMilliseconds) return;
            Fired = true;
            _onStall();
        }

        public void Dispose() => _timer.Dispose();
    }
}
