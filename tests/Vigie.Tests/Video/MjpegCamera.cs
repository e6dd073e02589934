using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenCvSharp;
using Vigie.Video;

namespace Vigie.Tests.Video;

/// <summary>
/// An HTTP camera on 127.0.0.1 serving MJPEG (multipart/x-mixed-replace), as many IP cameras do,
/// to any number of clients. Frames carry no timestamps, like the real thing.
/// </summary>
public sealed class MjpegCamera : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<byte[]> _jpegs;
    private readonly double _fps;
    private readonly Task _loop;

    public MjpegCamera(double fps)
    {
        _fps = fps;
        var scene = SyntheticScene.Default;
        using var bg = scene.Background();
        using var canvas = new Mat();
        _jpegs = Enumerable.Range(0, (int)(scene.Length.TotalSeconds * scene.Fps)).Where(i => i % (int)(scene.Fps / fps) == 0)
            .Select(i =>
            {
                scene.Render(i, canvas, bg);
                return canvas.ImEncode(".jpg");
            }).ToList();
        var port = Ports.Free();
        Url = $"http://127.0.0.1:{port}/video.mjpg";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public string Url { get; }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => Serve(context));
        }
    }

    private async Task Serve(HttpListenerContext context)
    {
        context.Response.ContentType = "multipart/x-mixed-replace; boundary=frame";
        context.Response.SendChunked = true;
        var output = context.Response.OutputStream;
        try
        {
            for (int i = 0; !_stop.IsCancellationRequested; i = (i + 1) % _jpegs.Count)
            {
                var header = Encoding.ASCII.GetBytes($"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {_jpegs[i].Length}\r\n\r\n");
                await output.WriteAsync(header, _stop.Token);
                await output.WriteAsync(_jpegs[i], _stop.Token);
                await output.WriteAsync("\r\n"u8.ToArray(), _stop.Token);
                await output.FlushAsync(_stop.Token);
                await Task.Delay(TimeSpan.FromSeconds(1 / _fps), _stop.Token);
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the camera stopped.
        }
        finally
        {
            try { context.Response.Abort(); } catch (ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _listener.Close();
    }
}
