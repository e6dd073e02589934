using System.Text.Json;
using System.Text.Json.Serialization;
using Vigie.Service.Storage;

namespace Vigie.Service.Api;

/// <summary>An alert as the API, the console, MQTT and webhooks show it. Evidence comes as API links.</summary>
public sealed record AlertView(
    long Id,
    string Camera,
    string Kind,
    string Zone,
    DateTimeOffset Started,
    DateTimeOffset Raised,
    DateTimeOffset? Ended,
    double Score,
    IReadOnlyList<double> Box,
    IReadOnlyList<int> TrackIds,
    string Detail,
    string Status,
    string? ReviewedBy,
    DateTimeOffset? ReviewedAt,
    string? ReviewReason,
    string? ReviewNote,
    string? SnapshotUrl,
    string? ClipUrl)
{
    public static AlertView From(AlertRecord a) => new(a.Id, a.Camera, a.Kind, a.Zone, a.Started, a.Raised, a.Ended, a.Score, a.Box, a.TrackIds,
        a.Detail, a.Status, a.ReviewedBy, a.ReviewedAt, a.ReviewReason, a.ReviewNote,
        a.Snapshot is null ? null : $"/api/alerts/{a.Id}/snapshot", a.Clip is null ? null : $"/api/alerts/{a.Id}/clip");
}

/// <summary>An alert with every review decision taken on it.</summary>
public sealed record AlertDetail(AlertView Alert, IReadOnlyList<ReviewRecord> Reviews);

/// <summary>A review decision as the console posts it; the reviewer is the signed-in user.</summary>
public sealed record ReviewRequest(string Decision, string? Reason, string? Note);

/// <summary>
/// The shape of one camera's watched scene, as the zone editor reads and saves it: zones, lines and the
/// ground calibration (null: the camera has none, and saving null removes it).
/// </summary>
public sealed record SceneView(List<Config.ZoneConfig> Zones, List<Config.LineConfig> Lines, Config.CalibrationConfig? Calibration = null)
{
    public static SceneView Of(Config.CameraConfig camera) => new(camera.Zones, camera.Lines, camera.Calibration);
}

public static class ApiJson
{
    /// <summary>snake_case like the configuration files and the JSON Lines outputs.</summary>
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return o;
    }
}
