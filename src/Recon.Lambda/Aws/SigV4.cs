using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Recon.Lambda.Aws;

/// <summary>
/// AWS Signature Version 4 for one request (header form): the canonical request, the string to sign and the derived
/// key, as the AWS General Reference describes them. Enough for the few JSON-protocol calls the functions make
/// without an SDK (Step Functions' SendTaskSuccess); paths and query strings are taken as already canonical.
/// </summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The Authorization header value.</summary>
    /// <param name="headers">Every header to sign, with its value; names are lower-cased and sorted here. Must include host and x-amz-date.</param>
    public static string Authorization(
        string method, string canonicalPath, string canonicalQuery, IReadOnlyDictionary<string, string> headers, string payloadSha256Hex,
        AwsCredentials credentials, string region, string service, DateTimeOffset signedAt)
    {
        var sorted = headers
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(' ', h.Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var signedHeaders = string.Join(';', sorted.Select(h => h.Name));
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(canonicalPath).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in sorted)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadSha256Hex);

        var date = signedAt.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{AmzDate(signedAt)}\n{scope}\n{Sha256Hex(canonical.ToString())}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Convert.ToHexStringLower(Hmac(key, stringToSign));
        return $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>The x-amz-date form of a time: 20130524T000000Z.</summary>
    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
