using System.Globalization;

namespace Recon.Workflows.Definition;

/// <summary>ASL timestamps: RFC 3339 with an upper-case T and an offset or Z.</summary>
internal static class Timestamps
{
    public static bool TryParse(string text, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (text.Length < 20 || text[10] != 'T' || !(text.EndsWith('Z') || text[^6] is '+' or '-'))
        {
            return false;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out timestamp);
    }
}
