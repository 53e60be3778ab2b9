namespace Recon.Jobs.Workflows;

/// <summary>The Lambda function names workflows/compare.asl.json and workflows/transform.asl.json call.</summary>
public static class JobFunctionNames
{
    public const string ComparePrepare = "recon-compare-prepare";
    public const string ComparePartition = "recon-compare-partition";
    public const string CompareReport = "recon-compare-report";
    public const string TransformPlan = "recon-transform-plan";
    public const string TransformWrite = "recon-transform-write";
}
