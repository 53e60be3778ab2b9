using Recon.Core;

namespace Recon.Jobs;

/// <summary>
/// Every error the compare and transform jobs show a user is built here, as <see cref="ReconErrors"/> does for Core:
/// one method per situation, named for what went wrong, with the file it concerns and what to do on the exception's
/// properties. Split by concern: a transform's steps, its expressions, the Athena dialect's refusals, a compare's
/// options, the input files. Both SQL dialects call the same methods, so a shared message is written once.
/// </summary>
internal static partial class JobErrors
{
    /// <summary>An input's column lists, as the messages show them.</summary>
    private static string List(IEnumerable<string> names) => string.Join(", ", names);
}
