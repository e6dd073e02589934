using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace Vigie.Video;

/// <summary>Encodes BGR frames to an H.264 file through an ffmpeg child process reading stdin.</summary>
public sealed class FfmpegVideoWriter : IDisposable
{
    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly Task<string> _stderr;
    private readonly int _width;
    private readonly int _height;
    private readonly string _path;

    public FfmpegVideoWriter(string path, int width, int height, double fps)
    {
        _path = path;
        _width = width;
        _height = height;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        var psi = OwnSession.For("ffmpeg",
        [
            "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24",
            "-s", $"{width}x{height}", "-r", fps.ToString("0.###", CultureInfo.InvariantCulture), "-i", "pipe:0",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", path,
        ]);
        psi.RedirectStandardInput = true;
        psi.RedirectStandardError = true;
        _process = OwnSession.Start(psi);
        _process.StandardInput.AutoFlush = false;
        _stdin = _process.StandardInput.BaseStream;
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>The encoder's process id.</summary>
    public int ProcessId => _process.Id;

    public unsafe void Write(Mat bgr)
    {
        if (bgr.Width != _width || bgr.Height != _height || bgr.Type() != MatType.CV_8UC3)
            throw new ArgumentException($"frame must be {_width}x{_height} BGR");
        try
        {
            if (bgr.IsContinuous())
                _stdin.Write(new ReadOnlySpan<byte>((void*)bgr.Data, _width * _height * 3));
            else
                for (int y = 0; y < _height; y++)
                    _stdin.Write(new ReadOnlySpan<byte>((void*)bgr.Ptr(y), _width * 3));
        }
        catch (IOException e)
        {
            var code = _process.WaitForExit(TimeSpan.FromSeconds(2)) ? _process.ExitCode : 0;
            throw new IOException($"{_path}: the encoder stopped: {Failure(FirstLine(_stderr), code)}", e);
        }
    }

    private static string FirstLine(Task<string> stderr) =>
        stderr.Wait(TimeSpan.FromSeconds(2)) ? stderr.Result.Split('\n')[0] : "no message";

    public void Dispose()
    {
        try
        {
            _stdin.Dispose();
        }
        catch (IOException)
        {
            // The encoder already failed; its message is reported below.
        }
        _process.WaitForExit();
        var code = _process.ExitCode;
        _process.Dispose();
        if (code != 0) throw new IOException($"{_path}: video encoding failed: {Failure(FirstLine(_stderr), code)}");
    }

    /// <summary>Why the encoder failed: its own message, else what its exit code says (a signal leaves no message).</summary>
    public static string Failure(string message, int exitCode) =>
        OwnSession.Missing("ffmpeg", message) is { } missing ? missing
        : message.Trim().Length > 0 ? message.Trim()
        // 255: ffmpeg's own exit on a signal; 128 + the signal when it died of it (SIGINT, SIGTERM, SIGKILL).
        : exitCode is 255 or 130 or 143 ? $"ffmpeg was interrupted (exit code {exitCode}: a Ctrl+C or a stop signal reached it)"
        : exitCode == 137 ? "ffmpeg was killed (exit code 137: out of memory, or killed by hand)"
        : exitCode == 0 ? "no message"
        : $"ffmpeg exited with code {exitCode} without a message";
}
