using System.Text.Json;
using System.Text.Json.Serialization;
using Vigie.Analytics;
using Vigie.Geometry;
using Vigie.Tracking;

namespace Vigie.Alerts;

/// <summary>The JSON Lines shape of an event, as written by `vigie analyze --out` and read by `vigie eval`.</summary>
public sealed record EventLine(
    string Camera,
    string Kind,
    string Where,
    double StartS,
    double? EndS,
    double RaisedS,
    DateTimeOffset StartClock,
    double Score,
    IReadOnlyList<int> TrackIds,
    IReadOnlyList<double> Box,
    string Detail)
{
    public static EventLine From(SceneEvent e) => new(e.Camera, e.Kind, e.Where, Round(e.Start), e.End is { } end ? Round(end) : null,
        Round(e.RaisedAt), e.StartClock, Math.Round(e.Score, 3), e.TrackIds, BoxArray(e.Box), e.Detail);

    public static double Round(TimeSpan t) => Math.Round(t.TotalSeconds, 3);

    internal static double[] BoxArray(Box b) =>
        [Math.Round(b.X, 4), Math.Round(b.Y, 4), Math.Round(b.Width, 4), Math.Round(b.Height, 4)];
}

/// <summary>A finished track, normalised box coordinates, written by `vigie analyze --tracks`.</summary>
public sealed record TrackLine(
    string Camera,
    int TrackId,
    string Category,
    string Label,
    double FirstS,
    double LastS,
    int Observations,
    IReadOnlyList<double> FirstBox,
    IReadOnlyList<double> LastBox)
{
    public static TrackLine From(string camera, Track t, int frameWidth, int frameHeight)
    {
        var first = t.History.Count > 0 ? t.History[0].Box : t.Box;
        Box Norm(Box b) => new(b.X / frameWidth, b.Y / frameHeight, b.Width / frameWidth, b.Height / frameHeight);
        return new TrackLine(camera, t.Id, t.Category.ToString().ToLowerInvariant(), t.Label, EventLine.Round(t.FirstSeen),
            EventLine.Round(t.LastSeen), t.History.Count, EventLine.BoxArray(Norm(first)), EventLine.BoxArray(Norm(t.Box)));
    }
}

/// <summary>One measurement of one frame (e.g. the people count of a zone), written by `vigie analyze --metrics`.</summary>
public sealed record MeasurementLine(double TimeS, string Camera, string Where, string Name, double Value, string Unit);

/// <summary>Appends one JSON object per line and flushes each, so a crash keeps every line written.</summary>
public sealed class JsonLinesWriter : IDisposable
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly StreamWriter _writer;

    public JsonLinesWriter(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        _writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read));
    }

    public void Write<T>(T line)
    {
        _writer.WriteLine(JsonSerializer.Serialize(line, Options));
        _writer.Flush();
    }

    public static IEnumerable<T> Read<T>(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<T>(l, Options)!);

    public void Dispose() => _writer.Dispose();
}
