using System.Globalization;
using System.Text;

namespace Recon.Infra.Workflows;

/// <summary>One <c>${Name}</c> of a workflow definition, and the resource it names.</summary>
/// <param name="Name">The name between <c>${</c> and <c>}</c>.</param>
/// <param name="Kind">What it stands for.</param>
/// <param name="Target">The function name (<c>recon-plan</c>) or workflow name (<c>stateful</c>) it names; empty for the others.</param>
internal sealed record Placeholder(string Name, PlaceholderKind Kind, string Target)
{
    public const string FunctionSuffix = "FunctionArn";
    public const string StateMachineSuffix = "StateMachineArn";

    /// <summary>The placeholders known without reference to a workflow file.</summary>
    public static IReadOnlyDictionary<string, PlaceholderKind> Fixed { get; } = new Dictionary<string, PlaceholderKind>(StringComparer.Ordinal)
    {
        ["DeadLetterQueueUrl"] = PlaceholderKind.DeadLetterQueueUrl,
        ["DeadLetterQueueArn"] = PlaceholderKind.DeadLetterQueueArn,
        ["DataBucketName"] = PlaceholderKind.DataBucketName,
        ["AthenaWorkGroup"] = PlaceholderKind.AthenaWorkGroup,
        ["AthenaResultsLocation"] = PlaceholderKind.AthenaResultsLocation,
    };

    /// <summary>
    /// Classifies <paramref name="name"/>: <c>ReconIndexWorkerFunctionArn</c> → function <c>recon-index-worker</c>,
    /// <c>StatefulStateMachineArn</c> → workflow <c>stateful</c> (which must be one of <paramref name="workflows"/>).
    /// Returns null for a name this deployment does not know.
    /// </summary>
    public static Placeholder? Classify(string name, IReadOnlyCollection<string> workflows)
    {
        if (Fixed.TryGetValue(name, out var kind))
        {
            return new Placeholder(name, kind, "");
        }

        if (name.Length > FunctionSuffix.Length && name.EndsWith(FunctionSuffix, StringComparison.Ordinal) && char.IsAsciiLetterUpper(name[0]))
        {
            return new Placeholder(name, PlaceholderKind.Function, ToKebab(name[..^FunctionSuffix.Length]));
        }

        if (name.Length > StateMachineSuffix.Length && name.EndsWith(StateMachineSuffix, StringComparison.Ordinal))
        {
            string workflow = ToKebab(name[..^StateMachineSuffix.Length]);
            return workflows.Contains(workflow) ? new Placeholder(name, PlaceholderKind.StateMachine, workflow) : null;
        }

        return null;
    }

    /// <summary><c>recon-index-worker</c> → <c>ReconIndexWorker</c>.</summary>
    public static string ToPascal(string kebab)
    {
        var text = new StringBuilder(kebab.Length);
        foreach (var part in kebab.Split('-', StringSplitOptions.RemoveEmptyEntries))
        {
            text.Append(char.ToUpperInvariant(part[0])).Append(part.AsSpan(1));
        }

        return text.ToString();
    }

    /// <summary><c>ReconIndexWorker</c> → <c>recon-index-worker</c>.</summary>
    public static string ToKebab(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 8);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsAsciiLetterUpper(c) && i > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLower(c, CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
