namespace Recon.Core.Ports;

/// <summary>
/// A stored API token: never the token itself, only its SHA-256 <see cref="Hash"/>. <see cref="Entities"/> holds
/// entity codes, or the single value <c>*</c> for every entity.
/// </summary>
public sealed record AccessTokenRecord
{
    public required string Name { get; init; }

    public required string Role { get; init; }

    public required IReadOnlyList<string> Entities { get; init; }

    public required byte[] Hash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }
}
