using System.Diagnostics;

namespace Vigie.Tests.Service;

/// <summary>
/// A real PostgreSQL server for the tests, on 127.0.0.1 and a free port, in a temporary cluster made
/// with Debian's initdb (scripts/setup --test installs it). Run as the postgres user when the tests
/// run as root, since PostgreSQL refuses to run as root. One per test run, stopped at the end.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _folder;
    private readonly string _bin;

    public PostgresServer()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                   .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
               ?? throw new InvalidOperationException("PostgreSQL server binaries not found: run scripts/setup --test (apt postgresql)");
        Port = Ports.Free();
        _folder = Path.Combine(Path.GetTempPath(), $"vigie-pg-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(_folder);
        if (Environment.UserName == "root") Run("chown", "postgres:postgres", _folder);
        AsPostgres("initdb", "-D", Path.Combine(_folder, "data"), "-A", "trust", "-U", "vigie", "--no-sync", "-E", "UTF8");
        Start();
        AsPostgres("createdb", "-h", "127.0.0.1", "-p", Port.ToString(), "-U", "vigie", "vigie");
        ConnectionString = $"Host=127.0.0.1;Port={Port};Database=vigie;Username=vigie";
    }

    public int Port { get; }
    public string ConnectionString { get; }

    /// <summary>Starts the server (again, after <see cref="Stop"/>), on the same port with the same databases.</summary>
    public void Start() =>
        AsPostgres("pg_ctl", "-D", Path.Combine(_folder, "data"), "-l", Path.Combine(_folder, "log"), "-w", "-t", "60",
            "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_folder} -c fsync=off", "start");

    /// <summary>Stops the server at once, as a crash or a failover would: open connections are cut.</summary>
    public void Stop() => AsPostgres("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop");

    /// <summary>A fresh, empty database on this server, so tests do not see each other's rows.</summary>
    public string NewDatabase()
    {
        var name = $"t{Guid.NewGuid():N}"[..16];
        AsPostgres("createdb", "-h", "127.0.0.1", "-p", Port.ToString(), "-U", "vigie", name);
        return $"Host=127.0.0.1;Port={Port};Database={name};Username=vigie";
    }

    private void AsPostgres(string tool, params string[] args)
    {
        var exe = Path.Combine(_bin, tool);
        if (Environment.UserName == "root") Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {stderr.Result}");
    }

    public void Dispose()
    {
        try
        {
            if (File.Exists(Path.Combine(_folder, "data", "postmaster.pid"))) Stop(); // a test may have stopped it
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>;
