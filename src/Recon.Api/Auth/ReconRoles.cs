namespace Recon.Api.Auth;

/// <summary>Role names as stored with tokens and carried in the <c>recon_role</c> claim.</summary>
public static class ReconRoles
{
    public const string Reader = "reader";
    public const string Submitter = "submitter";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Reader, Submitter, Operator, Admin];

    public static bool TryParse(string? name, out ReconRole role)
    {
        switch (name)
        {
            case Reader: role = ReconRole.Reader; return true;
            case Submitter: role = ReconRole.Submitter; return true;
            case Operator: role = ReconRole.Operator; return true;
            case Admin: role = ReconRole.Admin; return true;
            default: role = default; return false;
        }
    }

    public static string Name(ReconRole role) => role switch
    {
        ReconRole.Reader => Reader,
        ReconRole.Submitter => Submitter,
        ReconRole.Operator => Operator,
        _ => Admin,
    };
}
