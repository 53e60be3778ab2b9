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
}
