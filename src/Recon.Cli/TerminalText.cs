using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Recon.Cli;

/// <summary>
/// The one sanitiser of text the CLI prints for a person: data from input files (ids, entity, type, file and folder
/// names, quarantined raw lines, reasons quoting them) may hold control characters, and a terminal acts on them
/// (ESC sequences recolour, move the cursor or set the window title; bidi overrides reorder what is shown). Each is
/// printed as a visible escape instead (<c>\x1b</c>, <c>\u202e</c>). JSON output is not passed through here: its
/// writer escapes control characters the JSON way.
/// </summary>
internal static class TerminalText
{
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        int first = IndexOfUnsafe(text);
        if (first < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsUnsafe(c))
            {
                sb.Append(c);
            }
            else if (c <= '\u00FF')
            {
                sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>A table cell: safe text, with Spectre's markup brackets escaped.</summary>
    public static string Cell(string? text) => Markup.Escape(Safe(text));

    public static bool IsUnsafe(char c) =>
        c < '\u0020' || c is >= '\u007F' and <= '\u009F'
        || c is '\u061C' or '\u200E' or '\u200F' or '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static int IndexOfUnsafe(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
