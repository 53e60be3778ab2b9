namespace Recon.Workflows;

/// <summary>Reduces the forms Lambda accepts for a function (name, name:alias, full or partial ARN) to the bare name.</summary>
internal static class FunctionNames
{
    public static string Bare(string functionName)
    {
        var name = functionName;
        const string marker = ":function:";
        var at = name.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            name = name[(at + marker.Length)..];
        }

        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? name[..colon] : name;
    }
}
