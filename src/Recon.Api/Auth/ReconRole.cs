namespace Recon.Api.Auth;

/// <summary>
/// What a caller may do: readers read artifacts of their entities, submitters also POST batches of their entities,
/// operators also watch and retry batches and runs of all entities, admins do everything (audit included).
/// </summary>
public enum ReconRole
{
    Reader,
    Submitter,
    Operator,
    Admin,
}
