using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigie.Config;
using Vigie.Service.Cameras;
using Vigie.Service.Evidence;

namespace Vigie.Service.Api;

/// <summary>Cameras: health, a blurred live preview, and the zones and lines the editor draws.</summary>
public static class CameraEndpoints
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("cameras");
        api.MapGet("/cameras", (CameraSupervisor cameras) => Statuses(cameras)).WithSummary("Every camera with its health.");
        api.MapGet("/cameras/{name}", Get).WithSummary("One camera's health.");
        api.MapGet("/cameras/{name}/snapshot", Preview).WithSummary("The camera's latest analysed frame (JPEG, people and faces blurred).");
        api.MapGet("/cameras/{name}/scene", Scene).WithSummary("The zones and lines watched on this camera (normalised coordinates).");
        api.MapPut("/cameras/{name}/scene", SaveScene).WithSummary("Replace the camera's zones and lines: saved to the configuration file, then the camera restarts with them.");
    }

    private static IReadOnlyList<CameraStatus> Statuses(CameraSupervisor cameras) =>
        cameras.Workers.Select(w => w.Health.Read(DateTimeOffset.Now)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    private static Results<Ok<CameraStatus>, NotFound> Get(string name, CameraSupervisor cameras) =>
        cameras.Find(name) is { } w ? TypedResults.Ok(w.Health.Read(DateTimeOffset.Now)) : TypedResults.NotFound();

    private static IResult Preview(string name, CameraSupervisor cameras, EvidenceRecorder evidence, HttpContext http)
    {
        if (cameras.Find(name) is not { } worker) return TypedResults.NotFound();
        if (worker.Ring.Latest is not { } frame) return TypedResults.Problem($"camera '{name}' has no frame yet", statusCode: 503);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(evidence.Preview(frame), "image/jpeg");
    }

    private static Results<Ok<SceneView>, NotFound> Scene(string name, CameraSupervisor cameras) =>
        cameras.Find(name) is { } w ? TypedResults.Ok(new SceneView(w.Camera.Zones, w.Camera.Lines)) : TypedResults.NotFound();

    private static async Task<Results<Ok<SceneView>, NotFound, ValidationProblem>> SaveScene(string name, SceneView scene, CameraSupervisor cameras)
    {
        if (cameras.Find(name) is null) return TypedResults.NotFound();
        try
        {
            var camera = await cameras.EditSceneAsync(name, scene.Zones, scene.Lines);
            return TypedResults.Ok(new SceneView(camera.Zones, camera.Lines));
        }
        catch (ConfigException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["scene"] = [.. e.Errors] });
        }
    }
}
