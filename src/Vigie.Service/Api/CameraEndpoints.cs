using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigie.Config;
using Vigie.Service.Cameras;
using Vigie.Service.Evidence;
using Vigie.Service.Governance;
using Vigie.Service.Security;

namespace Vigie.Service.Api;

/// <summary>Cameras: health, measured counts over time, a blurred live preview, and the zones and lines the editor draws.</summary>
public static class CameraEndpoints
{
    private static readonly TimeSpan PreviewAuditWindow = TimeSpan.FromMinutes(10);

    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("cameras");
        api.MapGet("/cameras", (CameraSupervisor cameras) => Statuses(cameras)).RequireAuthorization(Policies.ViewCameraHealth)
            .WithSummary("Every camera with its health and the use cases analysed or refused.");
        api.MapGet("/cameras/{name}", Get).RequireAuthorization(Policies.ViewCameraHealth).WithSummary("One camera's health.");
        api.MapGet("/cameras/{name}/measurements", Measurements).RequireAuthorization(Policies.ViewCameraHealth)
            .WithSummary("The camera's measurements as time series (people per zone, persons/m² with a calibration): one point per second, the last hour; ?since=ISO-8601 for the newer points only.");
        api.MapGet("/cameras/{name}/snapshot", Preview).RequireAuthorization(Policies.ViewVideo)
            .WithSummary("The camera's latest analysed frame (JPEG, privacy masks black, people and faces blurred).");
        api.MapGet("/cameras/{name}/scene", Scene).RequireAuthorization(Policies.ViewCameras)
            .WithSummary("The zones and lines configured on this camera (normalised coordinates).");
        api.MapPut("/cameras/{name}/scene", SaveScene).RequireAuthorization(Policies.EditCameras)
            .WithSummary("Replace the camera's zones, lines and ground calibration (null removes it): saved to the configuration file, then the camera restarts with them.");
    }

    private static IReadOnlyList<CameraStatus> Statuses(CameraSupervisor cameras) =>
        cameras.Workers.Select(w => w.Health.Read(DateTimeOffset.Now)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    private static Results<Ok<CameraStatus>, NotFound> Get(string name, CameraSupervisor cameras) =>
        cameras.Find(name) is { } w ? TypedResults.Ok(w.Health.Read(DateTimeOffset.Now)) : TypedResults.NotFound();

    private static Results<Ok<IReadOnlyList<MeasurementSeries>>, NotFound> Measurements(string name, DateTimeOffset? since, CameraSupervisor cameras) =>
        cameras.Find(name) is { } w ? TypedResults.Ok(w.Measurements.Read(since)) : TypedResults.NotFound();

    private static async Task<IResult> Preview(string name, CameraSupervisor cameras, EvidenceRecorder evidence, AuditLog audit, ClaimsPrincipal user,
        CancellationToken ct)
    {
        if (cameras.Find(name) is not { } worker) return TypedResults.NotFound();
        if (worker.Ring.Latest is not { } frame) return TypedResults.Problem($"camera '{name}' has no frame yet", statusCode: 503);
        await audit.AppendOnceEveryAsync(PreviewAuditWindow, user.Name(), AuditActions.CameraView, $"camera:{name}", ct);
        return TypedResults.File(evidence.Preview(frame), "image/jpeg");
    }

    private static Results<Ok<SceneView>, NotFound> Scene(string name, CameraSupervisor cameras) =>
        cameras.Configured(name) is { } c ? TypedResults.Ok(SceneView.Of(c)) : TypedResults.NotFound();

    private static async Task<Results<Ok<SceneView>, NotFound, ValidationProblem>> SaveScene(string name, SceneView scene, CameraSupervisor cameras,
        AuditLog audit, ClaimsPrincipal user, CancellationToken ct)
    {
        if (cameras.Configured(name) is not { } before) return TypedResults.NotFound();
        var previous = SceneView.Of(before);
        try
        {
            var camera = await cameras.EditSceneAsync(name, scene.Zones, scene.Lines, scene.Calibration);
            await audit.AppendAsync(user.Name(), AuditActions.SceneChange, $"camera:{name}", new { Before = previous, After = scene }, ct);
            return TypedResults.Ok(SceneView.Of(camera));
        }
        catch (ConfigException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["scene"] = [.. e.Errors] });
        }
    }
}
