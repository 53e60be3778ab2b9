using System.Globalization;
using Recon.Core;

namespace Recon.Jobs;

// S3 objects a job reads (inputs, a spec) and the compare work the deployed workflow keeps in the job store.
internal static partial class JobErrors
{
    /// <param name="label">What the object is to the job: "spec", "input 'orders'".</param>
    public static ReconException S3SpecMissing(string label, string uri) =>
        new($"{label} '{uri}' does not exist: give the S3 object of the spec (s3://BUCKET/KEY).")
        {
            File = uri,
            Action = "Give the S3 object of the spec (s3://BUCKET/KEY).",
        };

    public static ReconException S3SpecTooLarge(string label, string uri, long length, long max) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{label} '{uri}' is {length} bytes; a spec is at most {max} bytes.")) { File = uri };

    public static ReconException S3NotConfigured(string label, string uri) =>
        new($"{label} '{uri}': this job has no S3 access configured (recon reads s3:// inputs with the deployment's S3 settings: --s3-endpoint, --region, AWS credentials).")
        {
            File = uri,
            Action = "Configure S3 access: --s3-endpoint, --region, AWS credentials.",
        };

    public static ReconException S3NoBucket(string label, string uri) =>
        new($"{label} '{uri}' does not name a bucket: use s3://BUCKET/KEY or s3://BUCKET/FOLDER/.")
        {
            File = uri,
            Action = "Use s3://BUCKET/KEY or s3://BUCKET/FOLDER/.",
        };

    public static ReconException S3InputMissing(string label, string uri, string prefix) =>
        new($"{label} '{uri}' does not exist: no object has that key and none is under '{prefix}'.") { File = uri };

    public static ReconException CompareWorkMissing(string location) =>
        new($"the compare work '{location}' is missing: the step before did not write it (or the work prefix is wrong).") { File = location };

    public static ReconException CompareWorkNameInvalid(string work) =>
        new($"compare work '{work}' is not a key prefix of the job store: use segments of letters, digits and ._=- separated by '/', e.g. compare/7f3a9c.")
        {
            Action = "Use segments of letters, digits and ._=- separated by '/', e.g. compare/7f3a9c.",
        };
}
