using System.Diagnostics;
using System.Globalization;

namespace Vigie.Service.Storage;

/// <summary>
/// A data folder belongs to one service at a time. Two `vigie serve` on one configuration (the second given another
/// `--listen`) each analysed every camera and stored every alert twice, and `vigie restore` only knew a service ran by
/// its address. An advisory lock (flock) on a file of the folder, which the system releases when its process ends,
/// however it ends: a killed service leaves nothing to clean. The file says who holds it (the lock keeps .NET from
/// reading it, not `cat`).
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    public const string FileName = "service.lock";

    private readonly FileStream _file;

    private DataFolderLock(FileStream file) => _file = file;

    /// <summary>Takes the folder for <paramref name="holder"/> (what it is doing, said in the file).</summary>
    /// <exception cref="DataFolderInUseException">Another process holds it.</exception>
    public static DataFolderLock Take(string dataFolder, string holder)
    {
        var path = Path.Combine(dataFolder, FileName);
        FileStream file;
        try
        {
            Directory.CreateDirectory(dataFolder);
            // FileShare.None is flock(LOCK_EX | LOCK_NB) on Linux: it fails at once while another process holds it.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException
                                    && File.Exists(path))
        {
            throw new DataFolderInUseException(Path.GetFullPath(dataFolder), Path.GetFullPath(path), e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"service.data_folder {Path.GetFullPath(dataFolder)} cannot be made or written to by {Environment.UserName}: {e.Message}", e);
        }
        file.SetLength(0);
        using (var writer = new StreamWriter(file, leaveOpen: true))
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId} ({Process.GetCurrentProcess().ProcessName}), {holder}, since {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\n"));
        return new DataFolderLock(file);
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>The data folder is held by another process, most often a running `vigie serve`.</summary>
public sealed class DataFolderInUseException(string folder, string lockFile, Exception inner) : IOException(
    $"the data folder {folder} is in use by another Vigie process (`cat {lockFile}` says which)", inner);
