namespace Recon.Core;

/// <summary>Errors of settings, flags and config files: each names the flag, variable or key to change.</summary>
public static partial class ReconErrors
{
    public static ReconException ConfigFileMissing(string path) =>
        new($"config file '{path}' does not exist.") { File = path, Action = "Pass the path of an existing config file." };

    public static ReconException ConfigFileNotJson(string path, string detail) =>
        new($"config file '{path}' is not valid JSON: {detail}") { File = path, Action = "Fix the JSON of the config file." };

    public static ReconException ConfigFileNotObject(string path) =>
        new($"config file '{path}' must hold one JSON object of settings.") { File = path, Action = "Write the settings as one JSON object." };

    public static ReconException UnknownSetting(string path, string name, IEnumerable<string> known) =>
        new($"config file '{path}': unknown setting '{name}'; known settings are {string.Join(", ", known)}.")
        {
            File = path,
            Action = "Remove the setting or correct its name.",
        };

    public static ReconException SettingNotString(string path, string name) =>
        new($"config file '{path}': setting '{name}' must be a string.") { File = path, Action = $"Write '{name}' as a JSON string." };

    /// <summary>A setting's value is malformed; <paramref name="source"/> says where it came from (a flag, a variable, a config file).</summary>
    public static ReconException BadSetting(string key, string source, string detail) =>
        new($"setting '{key}' from {source}: {detail}") { Action = $"Correct '{key}' in {source}." };

    /// <summary>A required setting is missing; <paramref name="howToSet"/> lists the flag, variable and config key.</summary>
    public static ReconException MissingSetting(string need, string howToSet) =>
        new($"{need}: {howToSet}.") { Action = char.ToUpperInvariant(howToSet[0]) + howToSet[1..] + "." };

    public static ReconException InvalidBucketName(string bucket) =>
        new($"'{bucket}' is not a valid S3 bucket name: 3 to 63 lower-case letters, digits, '-' or '.'.") { Action = "Pass a valid S3 bucket name." };

    public static ReconException InvalidTableName(string flag, string table) =>
        new($"{flag} '{table}' is not a valid DynamoDB table name: 3 to 255 letters, digits, '_', '-' or '.'.") { Action = $"Pass a valid table name to {flag}." };

    public static ReconException DataFolderIsFile(string path) =>
        new($"--data '{path}' is a file, not a folder: pass the data folder (it is created when missing).") { File = path, Action = "Pass the data folder to --data." };

    public static ReconException NoReconData(string path) =>
        new($"no Recon data in '{path}': run 'recon run' there first (or pass --data DIR).") { File = path, Action = "Run 'recon run' there first, or pass --data DIR." };

    /// <summary>A connection string that does not parse; <paramref name="redacted"/> must hold no password.</summary>
    public static ReconException InvalidConnection(string flag, string redacted, string detail) =>
        new($"{flag} '{redacted}' is not a valid connection: {detail}") { Action = $"Correct {flag}." };

    public static ReconException InboxWithoutBucket(string uri) =>
        new($"--inbox '{uri}' does not name a bucket: use s3://BUCKET/PREFIX.") { Action = "Pass --inbox s3://BUCKET/PREFIX." };

    public static ReconException WorkflowDefinitionMissing(string file) =>
        new($"workflow definition '{file}' is missing: pass --workflows DIR or reinstall recon.") { File = file, Action = "Pass --workflows DIR or reinstall recon." };

    public static ReconException WorkflowFolderMissing(string directory) =>
        new($"workflow folder '{directory}' does not exist: pass --workflows DIR or reinstall recon.") { File = directory, Action = "Pass --workflows DIR or reinstall recon." };

    public static ReconException WorkflowNotRunnableLocally(string directory, string detail) =>
        new($"workflow definition in '{directory}' cannot run locally: {detail}") { File = directory };

    public static ReconException WorkflowFunctionUnknown(string workflow, string function) =>
        new($"workflow '{workflow}' calls function '{function}', which has no handler in this version of recon.");

    /// <param name="detail">Why the certificate or key could not be loaded.</param>
    public static ReconException TlsCertificateUnloadable(string certFile, string keyFile, string detail) =>
        new($"cannot load the TLS certificate '{certFile}' with key '{keyFile}': {detail}. Pass PEM files (--tls-cert, --tls-key).")
        {
            File = certFile,
            Action = "Pass PEM files (--tls-cert, --tls-key).",
        };
}
