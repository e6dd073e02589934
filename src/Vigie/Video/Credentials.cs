namespace Vigie.Video;

/// <summary>
/// A camera's address often carries its user and password (rtsp://user:password@host/…), and ffmpeg repeats the
/// address in its messages: neither may reach a log, the console, the API or an error line.
/// </summary>
public static class Credentials
{
    public static string Hidden(string location) => HiddenIn(location, location);

    /// <summary>The text with the user and password of this address, as written or decoded, replaced by ***.</summary>
    public static string HiddenIn(string text, string? location)
    {
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.UserInfo)) return text;
        var decoded = Uri.UnescapeDataString(uri.UserInfo);
        return text.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal).Replace(decoded + "@", "***@", StringComparison.Ordinal);
    }
}
