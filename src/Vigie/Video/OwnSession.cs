using System.ComponentModel;
using System.Diagnostics;

namespace Vigie.Video;

/// <summary>
/// The programs vigie runs (ffmpeg, ffprobe) start in a session of their own (util-linux `setsid` execs them in place: the
/// process is the program itself). A Ctrl+C in a terminal, or a signal to the process group, goes to every process of the
/// group; vigie, stopping, ends its decoders and finishes the clips under way itself, so the signal must not reach them
/// first (a clip lost, a camera reported failed while the service stops).
/// </summary>
public static class OwnSession
{
    public static ProcessStartInfo For(string program, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        psi.ArgumentList.Add(program);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>setsid's word that the program it was to run is not there, put as vigie says it; null for any other message.</summary>
    public static string? Missing(string program, string message) =>
        message.Contains($"failed to execute {program}", StringComparison.Ordinal)
            ? $"{program} is not installed or not on PATH" + (program is "ffmpeg" or "ffprobe" ? " (apt-get install ffmpeg)" : "")
            : null;

    /// <summary>Starts it. Without setsid (util-linux) that is said here; a missing program, in its error output (<see cref="Missing"/>).</summary>
    public static Process Start(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi) ?? throw new VideoSourceException($"{psi.FileName} could not be started");
        }
        catch (Win32Exception e)
        {
            throw new VideoSourceException($"{psi.FileName} is not installed or not on PATH (apt-get install util-linux): {e.Message}", e);
        }
    }
}
