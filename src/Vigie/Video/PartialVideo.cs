namespace Vigie.Video;

/// <summary>
/// A video is written under a temporary name beside its final one and takes that name once complete: an
/// MP4 cut short (a full disk, an encoder that failed, a stop) cannot be played, and must neither be taken
/// for a finished video nor replace one made before.
/// </summary>
public static class PartialVideo
{
    /// <summary>The name a video has until it is complete (the service removes those a stop left behind).</summary>
    public static string PartOf(string path) => path + ".part.mp4";

    /// <summary>Writes the video through <paramref name="write"/>, given the temporary name; the half-made video goes if it throws.</summary>
    public static async Task<T> WriteAsync<T>(string path, Func<string, Task<T>> write)
    {
        T made;
        try
        {
            made = await write(PartOf(path));
        }
        catch
        {
            Forget(path);
            throw;
        }
        Complete(path);
        return made;
    }

    /// <inheritdoc cref="WriteAsync{T}"/>
    public static Task WriteAsync(string path, Func<string, Task> write) => WriteAsync(path, async partial =>
    {
        await write(partial);
        return true;
    });

    /// <summary>The video is complete: it takes its name (replacing an older one only now).</summary>
    public static void Complete(string path) => File.Move(PartOf(path), path, overwrite: true);

    /// <summary>The video was not completed: the half-made one goes.</summary>
    public static void Forget(string path)
    {
        var partial = PartOf(path);
        if (File.Exists(partial)) File.Delete(partial);
    }
}
