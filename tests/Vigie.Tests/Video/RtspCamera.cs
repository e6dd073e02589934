using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vigie.Video;

namespace Vigie.Tests.Video;

/// <summary>
/// A real RTSP camera on 127.0.0.1: GStreamer's RTSP server (Tools/rtsp_server.py) looping the
/// synthetic scene's frames. Started per test, killed, frozen or disposed by it.
/// </summary>
public sealed class RtspCamera : IAsyncDisposable
{
    private static readonly Lazy<string> Frames = new(() =>
    {
        var folder = TestPaths.TempFolder();
        var clip = Path.Combine(folder, "scene.mp4");
        SyntheticScene.Default.WriteVideo(clip);
        var psi = new ProcessStartInfo("ffmpeg", ["-v", "error", "-i", clip, "-q:v", "3", "-start_number", "1", Path.Combine(folder, "%05d.jpg")]);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException("could not extract test frames");
        return folder;
    });

    private readonly Process _server;

    private RtspCamera(Process server, int port)
    {
        _server = server;
        Port = port;
        Url = $"rtsp://127.0.0.1:{port}/cam";
    }

    public string Url { get; }
    public int Port { get; }

    /// <param name="port">A given port: the same camera coming back after a power cut.</param>
    /// <param name="codec">h264, or h265 as most IP cameras now send by default.</param>
    /// <param name="clockRate">How fast the camera's clock runs against true time (1.1: its stream time gains a second every ten).</param>
    /// <param name="audio">The camera has a microphone: it offers a sound stream beside the picture.</param>
    /// <param name="leap">Seconds its timestamps leap (negative: back) 4 s into each session, as a camera restarting its encoder.</param>
    /// <param name="resize">Its picture's new size ("320x240") 4 s after it first sends, as when its resolution is changed while streaming.</param>
    public static async Task<RtspCamera> StartAsync(int? port = null, string codec = "h264", double clockRate = 1, bool audio = false, double leap = 0,
        string? resize = null)
    {
        var listen = port ?? Ports.Free();
        var script = Path.Combine(AppContext.BaseDirectory, "Tools", "rtsp_server.py");
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var psi = new ProcessStartInfo("/usr/bin/python3",
            [script, Frames.Value, listen.ToString(), "25", "--codec", codec, "--clock-rate", clockRate.ToString(invariant), "--leap", leap.ToString(invariant)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (audio) psi.ArgumentList.Add("--audio");
        if (resize is not null) foreach (var a in new[] { "--resize", resize }) psi.ArgumentList.Add(a);
        var server = Process.Start(psi)!;
        var ready = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        if (ready != "ready")
            throw new InvalidOperationException($"RTSP test server did not start: {await server.StandardError.ReadToEndAsync()}");
        var camera = new RtspCamera(server, listen);
        // Read to its end, or the server would block once the pipe filled.
        _ = Task.Run(async () =>
        {
            while (await server.StandardOutput.ReadLineAsync() is { } line)
                if (line.StartsWith("setup ", StringComparison.Ordinal))
                    lock (camera._setUp) camera._setUp.Add(line["setup ".Length..]);
        });
        return camera;
    }

    private readonly List<string> _setUp = [];

    /// <summary>The streams clients asked for (/cam/stream=0 the picture, /cam/stream=1 the sound), with audio only.</summary>
    public IReadOnlyList<string> StreamsSetUp
    {
        get
        {
            lock (_setUp) return [.. _setUp];
        }
    }

    /// <summary>The server process dies, as a camera losing power.</summary>
    public void Kill() => _server.Kill(entireProcessTree: true);

    /// <summary>The server stops answering but keeps the connection open, as a frozen camera.</summary>
    public void Freeze() => Signal("-STOP");

    /// <summary>Sends the server a signal; quietly nothing when it has just exited.</summary>
    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [signal, _server.Id.ToString()]) { RedirectStandardError = true })!;
        kill.StandardError.ReadToEnd();
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_server.HasExited)
        {
            Signal("-CONT");
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }
        _server.Dispose();
    }
}
