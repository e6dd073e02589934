using Vigie.Config;

namespace Vigie.Service;

/// <summary>The configuration the service runs with and the file it came from (where zone edits are saved).</summary>
public sealed record ServiceSettings(SceneConfig Config, string? ConfigPath);
