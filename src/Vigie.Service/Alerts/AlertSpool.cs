using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigie.Alerts;
using Vigie.Service.Storage;

namespace Vigie.Service.Alerts;

/// <summary>
/// An alert that the database had not taken, or the end or clip of an alert: one line of <see cref="AlertSpool"/>.
/// </summary>
/// <param name="Ref">Names the alert for its end, further in the spool, when it is not stored yet.</param>
/// <param name="Alert">The alert not stored yet.</param>
/// <param name="Snapshot">Its snapshot, a JPEG already blurred as stored evidence is (base64 in the file); null when none could be made.</param>
/// <param name="Id">The stored alert this end or clip belongs to; null for an alert, or for the end of an alert named by <paramref name="Ref"/>.</param>
/// <param name="Ended">When the alert's event ended.</param>
/// <param name="Clip">The alert's clip, made and kept, whose path the database had not recorded yet.</param>
public sealed record SpooledAlert(string? Ref, NewAlert? Alert, byte[]? Snapshot, long? Id, DateTimeOffset? Ended, string? Clip)
{
    public static SpooledAlert Raised(NewAlert alert, byte[]? snapshot) => new(Guid.NewGuid().ToString("N"), alert, snapshot, null, null, null);

    public static SpooledAlert EndOf(long id, DateTimeOffset ended) => new(null, null, null, id, ended, null);

    public static SpooledAlert EndOf(string alertRef, DateTimeOffset ended) => new(alertRef, null, null, null, ended, null);

    public static SpooledAlert ClipOf(long id, string clip) => new(null, null, null, id, null, clip);

    public string Describe() => Alert is { } a
        ? $"{a.Kind} on {a.Camera} [{a.Zone}] raised {a.Raised:O}: {a.Detail}"
        : Clip is { } clip ? $"clip {clip} of alert {Id}" : $"end of alert {Id?.ToString() ?? Ref} at {Ended:O}";

    /// <summary>An alert, or the end or clip of one named one way only.</summary>
    internal bool IsWhole => Alert is not null
        ? Id is null && Ended is null && Clip is null
        : (Id is not null) != (Ref is not null) && (Ended is not null) != (Clip is not null) && (Clip is null || Id is not null);
}

/// <summary>
/// A file in the data folder holding, in order, what waits for the database beyond what memory keeps: the oldest alerts of
/// a long outage while the service runs, and everything still waiting when it stops, stored first at the next start. A
/// database that is down for long, or while the service restarts (an upgrade during an outage, a host reboot), must not
/// take the alerts with it. One JSON object per line; lines are only ever added at the end, and a second file counts the
/// lines already stored, so that a service killed while storing them stores again at most the one it was storing.
/// </summary>
public sealed class AlertSpool : IDisposable
{
    public const string FileName = "alerts-waiting.jsonl";

    private readonly string _stored;
    private StreamReader? _reader;
    private int _linesDone;
    private SpooledAlert? _next;

    private AlertSpool(string path)
    {
        Path = path;
        _stored = path + ".stored";
    }

    public static string PathIn(string dataFolder) => System.IO.Path.Combine(dataFolder, FileName);

    private const string SetAsideMark = ".unreadable-";
    private const string SetAsideTime = "yyyyMMddTHHmmss";

    /// <summary>Where a spool with damaged lines is kept whole for a person to look at, named by when it was set aside (UTC).</summary>
    public static string SetAsidePath(string path, DateTime utc) => path + SetAsideMark + utc.ToString(SetAsideTime, CultureInfo.InvariantCulture);

    /// <summary>The copies set aside in this data folder, with when each was.</summary>
    public static IEnumerable<(string File, DateTime SetAside)> SetAsideIn(string dataFolder)
    {
        var prefix = FileName + SetAsideMark;
        foreach (var file in Directory.EnumerateFiles(dataFolder, prefix + "*"))
            if (DateTime.TryParseExact(System.IO.Path.GetFileName(file)[prefix.Length..], SetAsideTime, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                yield return (file, at);
    }

    public string Path { get; }

    /// <summary>Entries not stored yet.</summary>
    public int Count { get; private set; }

    /// <summary>The spool of this file, left by an earlier run or not there; the numbers of its lines that are not entries.</summary>
    public static (AlertSpool Spool, List<int> Unreadable) Open(string path)
    {
        var spool = new AlertSpool(path);
        var unreadable = new List<int>();
        if (!File.Exists(path)) return (spool, unreadable);
        spool._linesDone = File.Exists(spool._stored) && int.TryParse(File.ReadAllText(spool._stored), out var done) ? done : 0;
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (++number <= spool._linesDone || line.Length == 0) continue;
            if (Parse(line) is null) unreadable.Add(number);
            else spool.Count++;
        }
        EndLastLine(path);
        return (spool, unreadable);
    }

    /// <summary>Adds an entry at the end, whole or not at all.</summary>
    public void Append(SpooledAlert entry)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, JsonLinesWriter.Options) + "\n");
        // Unbuffered: what the disk refused is known at once, and nothing is left to write when the part written is cut off.
        using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        var length = file.Length;
        try
        {
            file.Write(line);
        }
        catch (IOException)
        {
            // A full disk: the part written would glue the next entry to it.
            file.SetLength(length);
            throw;
        }
        Count++;
    }

    /// <summary>The first entry not stored yet; null when none.</summary>
    public SpooledAlert? Peek()
    {
        if (_next is not null || Count == 0) return _next;
        if (_reader is null)
        {
            _reader = new StreamReader(new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            for (int i = 0; i < _linesDone; i++) _reader.ReadLine();
        }
        // Count says an entry follows; the lines before it that are not entries were named when the file was opened.
        while (_next is null && _reader.ReadLine() is { } line)
        {
            _next = Parse(line);
            if (_next is null) _linesDone++;
        }
        // The file was cut short by hand: nothing more to wait for.
        if (_next is null) Count = 0;
        return _next;
    }

    /// <summary>The entry <see cref="Peek"/> gave is stored; the file goes once every entry is.</summary>
    public void Stored()
    {
        _next = null;
        _linesDone++;
        if (--Count > 0)
        {
            File.WriteAllText(_stored + ".part", _linesDone.ToString());
            File.Move(_stored + ".part", _stored, overwrite: true);
            return;
        }
        Delete();
    }

    /// <summary>Removes the file, every entry stored (or none readable).</summary>
    public void Delete()
    {
        Dispose();
        _next = null;
        File.Delete(Path);
        File.Delete(_stored);
        // Only once gone: a file that could not be deleted is read on past the lines already stored.
        (_linesDone, Count) = (0, 0);
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
    }

    private static SpooledAlert? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<SpooledAlert>(line, JsonLinesWriter.Options) is { IsWhole: true } entry ? entry : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A run killed while it added a line left part of one: the next line must not be glued to it.</summary>
    private static void EndLastLine(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        if (file.Length == 0) return;
        file.Seek(-1, SeekOrigin.End);
        if (file.ReadByte() == '\n') return;
        file.WriteByte((byte)'\n');
    }
}
