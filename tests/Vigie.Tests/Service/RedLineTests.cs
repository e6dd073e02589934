using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.Data.Sqlite;
using Vigie.Service.Api;
using Vigie.Service.Cameras;

namespace Vigie.Tests.Service;

/// <summary>
/// The red line, checked on what the code references and on everything a running service stores or
/// sends: no face recognition, no face crop, no embedding or appearance descriptor of a person.
/// </summary>
public class RedLineTests
{
    private static readonly string[] Assemblies = ["Vigie.Engine.dll", "Vigie.Service.dll", "vigie.dll"];

    /// <summary>OpenCV's face recognisers (FaceRecognizerSF gives face embeddings) and the classic ones.</summary>
    private static readonly string[] ForbiddenTypes = ["FaceRecognizerSF", "FaceRecognizer", "LBPHFaceRecognizer", "EigenFaceRecognizer", "FisherFaceRecognizer", "BasicFaceRecognizer"];

    [Fact]
    public void No_assembly_references_a_face_recogniser_or_defines_identification_types()
    {
        foreach (var file in Assemblies)
        {
            using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, file));
            using var pe = new PEReader(stream);
            var md = pe.GetMetadataReader();
            var referenced = md.TypeReferences.Select(h => md.GetString(md.GetTypeReference(h).Name)).ToHashSet();
            Assert.Empty(referenced.Intersect(ForbiddenTypes));
            var defined = md.TypeDefinitions.Select(h => md.GetString(md.GetTypeDefinition(h).Name)).ToList();
            Assert.DoesNotContain(defined, n => n.Contains("Embedding", StringComparison.OrdinalIgnoreCase) || n.Contains("ReId", StringComparison.Ordinal) ||
                                                n.Contains("Recogni", StringComparison.OrdinalIgnoreCase) || n.Contains("Plate", StringComparison.OrdinalIgnoreCase) ||
                                                n.Contains("Descriptor", StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Every column the database has; a new one fails here until someone checks it identifies nobody.</summary>
    private static readonly Dictionary<string, string[]> Columns = new()
    {
        ["alerts"] = ["id", "camera", "kind", "zone", "started_ms", "raised_ms", "ended_ms", "score", "box", "track_ids", "detail", "snapshot", "clip", "status",
            "reviewed_by", "reviewed_ms", "review_reason", "review_note"],
        ["reviews"] = ["id", "alert_id", "decision", "reason", "note", "reviewer", "decided_ms"],
        ["users"] = ["id", "name", "role", "password_hash", "created_ms", "failed_logins", "locked_until_ms", "disabled_ms"],
        ["sessions"] = ["token_hash", "user_id", "created_ms", "last_seen_ms", "expires_ms"],
        ["authorisations"] = ["id", "reference", "authority", "act_date", "cameras", "use_cases", "starts_ms", "ends_ms", "perimeter", "created_by", "created_ms",
            "revoked_ms", "revoked_by", "revoke_reason"],
        ["audit_log"] = ["seq", "at_ms", "actor", "action", "subject", "detail", "prev_hash", "hash"],
        ["alert_aggregates"] = ["month", "camera", "kind", "status", "reason", "alerts"],
        ["login_failures"] = ["user_id", "address", "failures", "locked_until_ms", "last_ms"],
        ["schema_migrations"] = ["version", "description", "applied_ms"],
    };

    [Fact]
    public async Task A_running_service_stores_and_sends_nothing_that_could_identify_a_person()
    {
        var clip = Path.Combine(TestPaths.TempFolder(), "scene.mp4");
        Vigie.Video.SyntheticScene.Default.WriteVideo(clip);
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(clip) + "\n    loop: true");
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () =>
            (await service.GetAsync<List<AlertView>>("/api/alerts")).Any(a => a.ClipUrl is not null), TimeSpan.FromSeconds(40)), "an alert with its clip");
        var alerts = await service.GetAsync<List<AlertView>>("/api/alerts");
        var data = Path.Combine(Path.GetDirectoryName(service.ConfigPath)!, "data");

        // The database: only the known columns, and no binary column where an image or a vector could hide.
        await using (var c = new SqliteConnection($"Data Source={Path.Combine(data, "vigie.db")};Mode=ReadOnly"))
        {
            await c.OpenAsync();
            var tables = new Dictionary<string, List<(string Name, string Type)>>();
            await using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync())
                    (tables.TryGetValue(r.GetString(0), out var list) ? list : tables[r.GetString(0)] = []).Add((r.GetString(1), r.GetString(2)));
            }
            Assert.Equal(Columns.Keys.Order(), tables.Keys.Order());
            foreach (var (table, columns) in tables)
            {
                Assert.Equal(Columns[table].Order(), columns.Select(x => x.Name).Order());
                Assert.DoesNotContain(columns, x => x.Type.Contains("BLOB", StringComparison.OrdinalIgnoreCase));
            }
        }

        // The files: the database, the audit head, the service's lock (its process and address), and per alert one blurred
        // snapshot and one blurred clip; no crop of anyone.
        var files = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(data, f)).ToList();
        Assert.All(files, f => Assert.Matches(@"^(vigie\.db(-wal|-shm)?|audit-head\.json|service\.lock|evidence/gate/\d{4}-\d{2}-\d{2}/\d+\.(jpg|mp4)(\.part(\.mp4)?)?)$", f));
        var evidence = files.Where(f => f.StartsWith("evidence/", StringComparison.Ordinal) && !f.Contains(".part")).ToList();
        Assert.True(evidence.Count <= 2 * (await service.Store.SearchAsync(new Vigie.Service.Storage.AlertQuery(Limit: 1000))).Count);

        // What leaves the service about an alert: these fields and nothing else (the API, the stream, MQTT and webhooks share this shape).
        string[] fields = ["id", "camera", "kind", "zone", "started", "raised", "ended", "score", "box", "track_ids", "detail", "status", "reviewed_by",
            "reviewed_at", "review_reason", "review_note", "snapshot_url", "clip_url"];
        using var doc = System.Text.Json.JsonDocument.Parse(await service.Http.GetStringAsync($"/api/alerts/{alerts[0].Id}"));
        Assert.Equal(fields.Order(), doc.RootElement.GetProperty("alert").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(fields.Order(), System.Text.Json.JsonSerializer.SerializeToElement(alerts[0], ApiJson.Options).EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(CameraStates.Online, (await service.GetAsync<CameraStatus>("/api/cameras/gate")).State);
    }
}
