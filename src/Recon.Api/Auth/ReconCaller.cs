using System.Security.Claims;

namespace Recon.Api.Auth;

/// <summary>Who is calling: a name for the audit list, a role and the entities it holds (or all).</summary>
public sealed class ReconCaller
{
    private readonly HashSet<string> _entities;

    private ReconCaller(string name, ReconRole role, bool allEntities, HashSet<string> entities)
    {
        Name = name;
        Role = role;
        AllEntities = allEntities;
        _entities = entities;
    }

    public string Name { get; }

    public ReconRole Role { get; }

    public bool AllEntities { get; }

    public IReadOnlyCollection<string> Entities => _entities;

    public bool Holds(string entity) => AllEntities || _entities.Contains(entity);

    public bool IsAtLeastOperator => Role is ReconRole.Operator or ReconRole.Admin;

    /// <summary>The caller of an authenticated principal; null (with the reason) when its claims do not make one.</summary>
    public static ReconCaller? From(ClaimsPrincipal user, out string? problem)
    {
        problem = null;
        if (user.Identity?.IsAuthenticated != true)
        {
            problem = "not authenticated";
            return null;
        }

        string? roleName = user.FindFirst(ReconClaims.Role)?.Value;
        if (!ReconRoles.TryParse(roleName, out var role))
        {
            problem = roleName is null
                ? $"the token carries no '{ReconClaims.Role}' claim"
                : $"the token's role '{roleName}' is not one of {string.Join(", ", ReconRoles.All)}";
            return null;
        }

        var entities = new HashSet<string>(StringComparer.Ordinal);
        bool all = false;
        foreach (var claim in user.FindAll(ReconClaims.Entities))
        {
            foreach (var part in claim.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (part == ReconClaims.AllEntities)
                {
                    all = true;
                }
                else
                {
                    entities.Add(part);
                }
            }
        }

        string name = user.FindFirst(ReconClaims.Name)?.Value ?? user.FindFirst("sub")?.Value ?? user.Identity?.Name ?? "unknown";
        return new ReconCaller(name, role, all, entities);
    }
}
