using System.Diagnostics;
using System.Net.Sockets;

namespace Vigie.Tests.Service;

/// <summary>A real MQTT broker (Debian's mosquitto) on 127.0.0.1 and a free port, for one test.</summary>
public sealed class MosquittoBroker : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private MosquittoBroker(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <param name="port">A port chosen beforehand (a client told of it before the broker runs); a free one when null.</param>
    /// <param name="account">The only user it lets in; anyone when null.</param>
    public static async Task<MosquittoBroker> StartAsync(int? port = null, (string User, string Password)? account = null)
    {
        var listen = port ?? Ports.Free();
        var folder = TestPaths.TempFolder();
        var conf = Path.Combine(folder, "mosquitto.conf");
        var access = "allow_anonymous true";
        if (account is var (user, password))
        {
            var passwords = Path.Combine(folder, "passwords");
            using (var made = Process.Start("/usr/bin/mosquitto_passwd", ["-b", "-c", passwords, user, password])) await made.WaitForExitAsync();
            access = $"allow_anonymous false\npassword_file {passwords}";
        }
        await File.WriteAllTextAsync(conf, $"listener {listen} 127.0.0.1\n{access}\npersistence false\n");
        var process = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true })
                      ?? throw new InvalidOperationException("mosquitto could not start: run scripts/setup --test");
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", listen);
                return new MosquittoBroker(process, folder, listen);
            }
            catch (SocketException)
            {
                if (process.HasExited) throw new InvalidOperationException($"mosquitto exited: {await process.StandardError.ReadToEndAsync()}");
                await Task.Delay(100);
            }
        }
        process.Kill();
        throw new InvalidOperationException("mosquitto did not listen within 10 s");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
