namespace Recon.Jobs.Workflows;

/// <summary>The Lambda function names workflows/compare.asl.json and workflows/transform.asl.json call.</summary>
public static class JobFunctionNames
{
    public const string ComparePrepare = "recon-compare-prepare";
    public const string ComparePartition = "recon-compare-partition";
    public const string CompareReport = "recon-compare-report";
    public const string TransformCompile = "recon-transform-compile";
    public const string TransformRecord = "recon-transform-record";

    public static IReadOnlyList<string> All { get; } = [ComparePrepare, ComparePartition, CompareReport, TransformCompile, TransformRecord];

    /// <summary>The Athena workgroup placeholder of workflows/transform.asl.json (the stack's workgroup on AWS).</summary>
    public const string AthenaWorkGroupKey = "AthenaWorkGroup";

    /// <summary>The query results location placeholder of workflows/transform.asl.json (under the bucket's prefix on AWS).</summary>
    public const string AthenaResultsLocationKey = "AthenaResultsLocation";

    /// <summary>
    /// The local DefinitionSubstitutions of the job workflows: each <c>${&lt;Pascal&gt;FunctionArn}</c> placeholder is the
    /// function's name (on AWS the deployment passes the functions' ARNs); the Athena workgroup and results location are
    /// the local stand-in's (see <see cref="LocalAthena"/>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> LocalSubstitutions { get; } =
        All.ToDictionary(Recon.Workflows.DefinitionSubstitutions.FunctionKey, name => name, StringComparer.Ordinal)
            .Concat(LocalAthena.Substitutions)
            .ToDictionary(StringComparer.Ordinal);
}
