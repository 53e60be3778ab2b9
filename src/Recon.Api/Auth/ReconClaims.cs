namespace Recon.Api.Auth;

/// <summary>The claims a Recon principal carries, from a Recon token or an OIDC JWT alike.</summary>
public static class ReconClaims
{
    public const string Role = "recon_role";

    /// <summary>Comma-separated entity codes or <c>*</c>; a JWT may also carry it as an array.</summary>
    public const string Entities = "recon_entities";

    public const string Name = "recon_name";

    public const string AllEntities = "*";
}
