using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Recon.Api.Auth;

/// <summary>Recon API tokens: 256 random bits, base64url with a <c>rcn_</c> prefix; only their SHA-256 is ever stored.</summary>
public static class AccessTokens
{
    public const string Prefix = "rcn_";

    public static string Generate()
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        return Prefix + Base64Url.EncodeToString(random);
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Token names are plain (letters, digits, '.', '_', '-'; at most 64), so they can be shown and audited as they are.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
