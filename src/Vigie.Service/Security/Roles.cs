using Microsoft.AspNetCore.Authorization;

namespace Vigie.Service.Security;

/// <summary>
/// The four roles, one per user, so that duties stay separate: whoever watches alerts does not grant
/// authorisations, and whoever audits sees no video.
/// </summary>
public static class Roles
{
    /// <summary>Sees alerts and the live cameras, reviews alerts.</summary>
    public const string Operator = "operator";

    /// <summary>Cameras, zones and thresholds; sees alerts and their evidence to tune them.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Audit log, authorisations and reports; alert metadata without any image.</summary>
    public const string Auditor = "auditor";

    /// <summary>Users and authorisations, and camera health (to know what an act covers); no video.</summary>
    public const string Administrator = "administrator";

    public static readonly IReadOnlyList<string> All = [Operator, Supervisor, Auditor, Administrator];
}

/// <summary>What each endpoint needs, as authorization policies named by capability.</summary>
public static class Policies
{
    public const string ViewAlerts = "view-alerts";
    public const string ViewVideo = "view-video";
    public const string ReviewAlerts = "review-alerts";
    public const string ViewCameraHealth = "view-camera-health";
    public const string ViewCameras = "view-cameras";
    public const string EditCameras = "edit-cameras";
    public const string ManageUsers = "manage-users";
    public const string ManageAuthorisations = "manage-authorisations";
    public const string ReadAuthorisations = "read-authorisations";
    public const string ReadAudit = "read-audit";
    public const string ReadReports = "read-reports";
    public const string SearchRecordings = "search-recordings";
    public const string LiftBlur = "lift-blur";

    /// <summary>The roles allowed for each policy; docs/GOVERNANCE.md shows the same table.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        [ViewAlerts] = [Roles.Operator, Roles.Supervisor, Roles.Auditor],
        [ViewVideo] = [Roles.Operator, Roles.Supervisor],
        [ReviewAlerts] = [Roles.Operator],
        [ViewCameraHealth] = [Roles.Operator, Roles.Supervisor, Roles.Administrator],
        [ViewCameras] = [Roles.Operator, Roles.Supervisor],
        [EditCameras] = [Roles.Supervisor],
        [ManageUsers] = [Roles.Administrator],
        [ManageAuthorisations] = [Roles.Administrator],
        [ReadAuthorisations] = [Roles.Administrator, Roles.Auditor, Roles.Supervisor],
        [ReadAudit] = [Roles.Auditor],
        [ReadReports] = [Roles.Auditor, Roles.Supervisor, Roles.Administrator],
        [SearchRecordings] = [Roles.Operator, Roles.Supervisor],
        [LiftBlur] = [Roles.Supervisor],
    };

    public static AuthorizationBuilder AddPolicies(this AuthorizationBuilder builder)
    {
        foreach (var (policy, roles) in Allowed) builder.AddPolicy(policy, p => p.RequireRole(roles));
        return builder;
    }
}
