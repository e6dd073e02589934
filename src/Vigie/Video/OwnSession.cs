using System.ComponentModel;
using System.Diagnostics;

namespace Vigie.Video;

/// <summary>
/// ffmpeg started in a session of its own (util-linux `setsid` execs it in place: the process is ffmpeg itself). A Ctrl+C
/// in a terminal, or a signal to the process group, goes to every process of the group; vigie, stopping, ends its decoders
/// and finishes the clips under way itself, so the signal must not reach them first (a clip lost, a camera reported failed
/// while the service stops).
/// </summary>
public static class OwnSession
{
    public static ProcessStartInfo Ffmpeg(IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        psi.ArgumentList.Add("ffmpeg");
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Starts it; a missing program is named (setsid comes with util-linux, ffmpeg's absence shows as its exit code 127).</summary>
    public static Process Start(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi) ?? throw new VideoSourceException($"{psi.FileName} could not be started");
        }
        catch (Win32Exception e)
        {
            throw new VideoSourceException($"{psi.FileName} is not installed or not on PATH (apt-get install {(psi.FileName == "setsid" ? "util-linux" : "ffmpeg")}): {e.Message}", e);
        }
    }
}
