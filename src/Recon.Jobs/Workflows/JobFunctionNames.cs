namespace Recon.Jobs.Workflows;

/// <summary>The Lambda function names workflows/compare.asl.json and workflows/transform.asl.json call.</summary>
public static class JobFunctionNames
{
    public const string ComparePrepare = "recon-compare-prepare";
    public const string ComparePartition = "recon-compare-partition";
    public const string CompareReport = "recon-compare-report";
    public const string TransformPlan = "recon-transform-plan";
    public const string TransformWrite = "recon-transform-write";

    public static IReadOnlyList<string> All { get; } = [ComparePrepare, ComparePartition, CompareReport, TransformPlan, TransformWrite];

    /// <summary>
    /// The local DefinitionSubstitutions of the job workflows: each <c>${&lt;Pascal&gt;FunctionArn}</c> placeholder is the
    /// function's name (on AWS the deployment passes the functions' ARNs).
    /// </summary>
    public static IReadOnlyDictionary<string, string> LocalSubstitutions { get; } =
        All.ToDictionary(Recon.Workflows.DefinitionSubstitutions.FunctionKey, name => name, StringComparer.Ordinal);
}
