using System.Text.Json;
using Vigie.Alerts;
using Vigie.Service.Storage;

namespace Vigie.Service.Alerts;

/// <summary>
/// An alert, or the end or clip of a stored one, that the database had not taken when the service stopped.
/// </summary>
/// <param name="Id">The stored alert this end or clip belongs to; null for an alert not stored yet.</param>
/// <param name="Alert">The alert not stored yet.</param>
/// <param name="Snapshot">Its snapshot, a JPEG already blurred as stored evidence is (base64 in the file); null when none could be made.</param>
/// <param name="Ended">When the alert's event ended, if it had.</param>
/// <param name="Clip">The alert's clip, made and kept, whose path the database had not recorded yet.</param>
public sealed record SpooledAlert(long? Id, NewAlert? Alert, byte[]? Snapshot, DateTimeOffset? Ended, string? Clip)
{
    public string Describe() => Alert is { } a
        ? $"{a.Kind} on {a.Camera} [{a.Zone}] raised {a.Raised:O}: {a.Detail}"
        : Clip is { } clip ? $"clip {clip} of alert {Id}" : $"end of alert {Id} at {Ended:O}";
}

/// <summary>
/// The file in the data folder where alerts still waiting for the database are written when the service stops, to be
/// stored at the next start: a database that is down while the service restarts (an upgrade during an outage, a host
/// reboot) must not take the alerts with it. One JSON object per line, in the order the alerts came.
/// </summary>
public static class AlertSpool
{
    public const string FileName = "alerts-waiting.jsonl";

    public static string PathIn(string dataFolder) => Path.Combine(dataFolder, FileName);

    /// <summary>Replaces the file with these entries, whole or not at all.</summary>
    public static void Write(string path, IEnumerable<SpooledAlert> entries)
    {
        var temp = path + ".part";
        using (var writer = new StreamWriter(temp))
        {
            foreach (var entry in entries) writer.WriteLine(JsonSerializer.Serialize(entry, JsonLinesWriter.Options));
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The entries of the file (none when there is no file), and the numbers of the lines that could not be read.</summary>
    public static (List<SpooledAlert> Entries, List<int> Unreadable) Read(string path)
    {
        var entries = new List<SpooledAlert>();
        var unreadable = new List<int>();
        if (!File.Exists(path)) return (entries, unreadable);
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            try
            {
                var entry = JsonSerializer.Deserialize<SpooledAlert>(line, JsonLinesWriter.Options);
                if (entry is { Alert: not null, Id: null } or { Alert: null, Id: not null }) entries.Add(entry);
                else unreadable.Add(number);
            }
            catch (JsonException)
            {
                unreadable.Add(number);
            }
        }
        return (entries, unreadable);
    }
}
