namespace Vigie.Service.Storage;

/// <summary>The two databases Vigie stores in; their only difference in the schema is the id column.</summary>
public enum SqlDialect { Sqlite, Postgres }

/// <summary>
/// Schema versions, applied in order, each once, inside a transaction. Times are Unix milliseconds
/// (BIGINT) in both databases so queries and ordering are identical. Never edit a published step:
/// add the next one.
/// </summary>
public static class Migrations
{
    public sealed record Step(int Version, string Description, Func<SqlDialect, string> Sql);

    private static string Id(SqlDialect d) => d == SqlDialect.Sqlite
        ? "id INTEGER PRIMARY KEY AUTOINCREMENT"
        : "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    public static readonly IReadOnlyList<Step> All =
    [
        new(1, "alerts and reviews", d => $"""
            CREATE TABLE alerts (
                {Id(d)},
                camera TEXT NOT NULL,
                kind TEXT NOT NULL,
                zone TEXT NOT NULL,
                started_ms BIGINT NOT NULL,
                raised_ms BIGINT NOT NULL,
                ended_ms BIGINT,
                score DOUBLE PRECISION NOT NULL,
                box TEXT NOT NULL,
                track_ids TEXT NOT NULL,
                detail TEXT NOT NULL,
                snapshot TEXT,
                clip TEXT,
                status TEXT NOT NULL DEFAULT 'new',
                reviewed_by TEXT,
                reviewed_ms BIGINT,
                review_reason TEXT,
                review_note TEXT
            );
            CREATE INDEX alerts_raised ON alerts (raised_ms);
            CREATE INDEX alerts_camera_raised ON alerts (camera, raised_ms);
            CREATE TABLE reviews (
                {Id(d)},
                alert_id BIGINT NOT NULL REFERENCES alerts (id),
                decision TEXT NOT NULL,
                reason TEXT,
                note TEXT,
                reviewer TEXT NOT NULL,
                decided_ms BIGINT NOT NULL
            );
            CREATE INDEX reviews_alert ON reviews (alert_id);
            """),
    ];

    public const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_ms BIGINT NOT NULL)";
}
