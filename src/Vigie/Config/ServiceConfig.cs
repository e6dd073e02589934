using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Vigie.Config;

// The `service:` section of a scene configuration, read by `vigie serve`.

public sealed class ServiceConfig
{
    [Description("Where the console and the API listen, e.g. http://127.0.0.1:8080. Bind to a public address only behind a TLS reverse proxy.")]
    public string Listen { get; set; } = "http://127.0.0.1:8080";

    [Description("Folder for the database (SQLite) and the evidence files. Relative paths are resolved from the config file's folder.")]
    public string DataFolder { get; set; } = "vigie-data";

    [Description("Folder of forensic cases searched from the console: each subfolder is an index made by `vigie index --out`. Default: <data_folder>/forensic.")]
    public string? ForensicFolder { get; set; }

    [Description("Where alerts and reviews are stored.")]
    public StorageConfig Storage { get; set; } = new();

    [Description("Snapshots and clips kept with each alert; people and faces are always blurred.")]
    public EvidenceConfig Evidence { get; set; } = new();

    [Description("How a camera whose stream dropped is retried.")]
    public ReconnectConfig Reconnect { get; set; } = new();

    [Description("Where new alerts are pushed besides the console.")]
    public NotificationsConfig Notifications { get; set; } = new();

    [Description("Sign-in sessions and lockout.")]
    public SecurityConfig Security { get; set; } = new();

    [Description("Addresses of the reverse proxies in front of the service (the one that serves HTTPS) whose X-Forwarded-For and "
        + "X-Forwarded-Proto are believed: the user's own address is then audited, and the session cookie is marked Secure. "
        + "Default: this machine (127.0.0.1, ::1); [] believes none.")]
    public List<string> TrustedProxies { get; set; } = ["127.0.0.1", "::1"];

    [Description("How long evidence and alert details are kept.")]
    public RetentionConfig Retention { get; set; } = new();

    [Description("A secret (at least 24 characters) that a Prometheus scraper sends as 'Authorization: Bearer <token>' to read GET /metrics "
        + "(cameras' state, frame rate, frames dropped, reconnections, alerts, database, disk, process). Unset: there is no /metrics.")]
    public string? MetricsToken { get; set; }
}

public sealed class SecurityConfig
{
    [Description("A session ends this many hours after sign-in, whatever happens.")]
    public double SessionHours { get; set; } = 12;

    [Description("A session unused for this many minutes ends.")]
    public double IdleMinutes { get; set; } = 30;

    [Description("Failed sign-ins in a row that lock the account.")]
    public int LockoutAttempts { get; set; } = 5;

    [Description("How long a locked account stays locked (minutes); an administrator can unlock it sooner.")]
    public double LockoutMinutes { get; set; } = 15;

    [Description("Password checks per second at most, all sign-ins together (each takes about 75 ms of a core): a flood of sign-ins "
        + "from the network cannot take the cores from the cameras. Beyond it, sign-ins wait up to 2 s, then are refused (HTTP 429).")]
    public double SignInsPerSecond { get; set; } = 4;
}

public sealed class RetentionConfig
{
    [Description("Snapshots and clips are deleted this many days after their alert.")]
    public double EvidenceDays { get; set; } = 30;

    [Description("Alert details and reviews are kept this many months (the evaluation period), then only monthly counts per camera, use case and decision remain.")]
    public int AlertMonths { get; set; } = 12;

    [Description("How often the purge runs (minutes). It also runs when the service starts.")]
    public double PurgeEveryMinutes { get; set; } = 60;

    [Description("Free space (MB) kept on the data folder's disk. Below it the oldest snapshots and clips are deleted before their time, "
        + "and new alerts are stored without evidence while nothing is left to delete; 0 turns this off.")]
    public int MinFreeMb { get; set; } = 1024;
}

public sealed class StorageConfig
{
    [Description("'sqlite' (a file in data_folder, the default) or 'postgres'.")]
    [AllowedValues("sqlite", "postgres")]
    public string Type { get; set; } = "sqlite";

    [Description("sqlite: the database file (default data_folder/vigie.db). postgres: an Npgsql connection string, e.g. Host=127.0.0.1;Database=vigie;Username=vigie;Password=...")]
    public string? Connection { get; set; }
}

public sealed class EvidenceConfig
{
    [Description("Seconds of video kept before the alert in its clip.")]
    public double BeforeS { get; set; } = 5;

    [Description("Seconds of video kept after the alert in its clip.")]
    public double AfterS { get; set; } = 5;

    [Description("Evidence frames wider than this are scaled down (pixels).")]
    public int MaxWidth { get; set; } = 960;

    [Description("YuNet face model used to blur faces (see docs/MODELS.md). Unset: only detected people are pixelated, so set it wherever faces can be seen.")]
    public string? FaceModel { get; set; }
}

public sealed class ReconnectConfig
{
    [Description("Wait before the first retry (seconds); each failed retry doubles it.")]
    public double InitialS { get; set; } = 1;

    [Description("Longest wait between retries (seconds).")]
    public double MaxS { get; set; } = 30;
}

public sealed class NotificationsConfig
{
    [Description("Publish each alert to an MQTT broker.")]
    public MqttConfig? Mqtt { get; set; }

    [Description("POST each alert as JSON to these URLs, signed with HMAC-SHA256.")]
    public List<WebhookConfig> Webhooks { get; set; } = [];
}

public sealed class MqttConfig
{
    [Description("Broker host name or address.")]
    public string Host { get; set; } = "127.0.0.1";

    [Description("Broker TCP port.")]
    public int Port { get; set; } = 1883;

    [Description("Alerts go to <topic>/<camera>/<use case>.")]
    public string Topic { get; set; } = "vigie/alerts";

    [Description("User name, if the broker asks for one.")]
    public string? Username { get; set; }

    [Description("Password, if the broker asks for one.")]
    public string? Password { get; set; }
}

public sealed class WebhookConfig
{
    [Description("http(s) URL that receives a POST per alert.")]
    public string Url { get; set; } = "";

    [Description("Shared secret: the X-Vigie-Signature header is sha256=HMAC-SHA256(secret, timestamp + '.' + body), hex.")]
    public string Secret { get; set; } = "";
}
