namespace Vigie.Service;

/// <summary>What went wrong, in one line for the log: .NET and its libraries often wrap the cause, and their outer words
/// name none ("The SSL connection could not be established, see inner exception.", "Error while connecting host …").</summary>
public static class ErrorText
{
    public static string Of(Exception e)
    {
        var parts = new List<string>();
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            var said = cause.Message.Replace(", see inner exception", "", StringComparison.Ordinal).TrimEnd('.', ' ');
            if (said.Length > 0 && !parts.Any(p => p.Contains(said, StringComparison.Ordinal))) parts.Add(said);
        }
        return string.Join(": ", parts);
    }
}
