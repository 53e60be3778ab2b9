using Recon.Core;

namespace Recon.Cli;

/// <summary>
/// The errors the CLI's own commands show a user (the layers below build theirs in their factories: ReconErrors,
/// JobErrors, …): one method each, the message saying what is wrong and what to do, also on
/// <see cref="ReconException.Action"/> and <see cref="ReconException.File"/>.
/// </summary>
internal static partial class CliErrors
{
    public static ReconException InboxIsAFile(string inbox) =>
        new($"--inbox '{inbox}' is a file, not a folder: pass the inbox folder (<source>/<batch_id>/manifest.json inside).")
        {
            File = inbox,
            Action = "Pass the inbox folder (<source>/<batch_id>/manifest.json inside).",
        };

    public static ReconException InboxMissing(string inbox) =>
        new($"--inbox '{inbox}' does not exist: check the path (or create the folder, then write batches into it).")
        {
            File = inbox,
            Action = "Check the path (or create the folder, then write batches into it).",
        };

    public static ReconException DataFolderInUse(string dataDirectory, string lockFile) =>
        new($"another 'recon run' is using '{dataDirectory}' (lock file '{lockFile}'); wait for it to finish.")
        {
            File = lockFile,
            Action = "Wait for the other 'recon run' to finish.",
        };

    public static ReconException DemoFolderNotOurs(string dir) =>
        new($"'{dir}' exists and is not a folder an earlier demo made; pass --folder with a new folder.")
        {
            File = dir,
            Action = "Pass --folder with a new folder.",
        };

    public static ReconException TokenNameTaken(string name) =>
        new($"a token named '{name}' exists already (names stay taken after revocation); choose another name.")
        {
            Action = "Choose another name.",
        };

    public static ReconException TokenNotFound(string name) =>
        new($"no token is named '{name}'; 'recon tokens list' shows them.") { Action = "Run 'recon tokens list' to see the tokens." };

    public static ReconException TokenAlreadyRevoked(string name, DateTimeOffset revokedAt) =>
        new($"token '{name}' was already revoked at {IsoTime.Format(revokedAt)}.");

    /// <summary>A transform spec file's error, with the file named in front; what it concerns and what to do are kept.</summary>
    public static ReconException InSpecFile(string path, ReconException inner) =>
        new($"{path}: {inner.Message}", inner)
        {
            File = inner.File ?? path,
            Action = inner.Action,
        };

    public static ReconException ExecutionNotFound(string wanted) =>
        new($"no workflow execution named '{wanted}' or for run '{wanted}'; 'recon runs' lists them.")
        {
            Action = "Run 'recon runs' to list them.",
        };

    public static ReconException NoDefinitionToValidate() =>
        new("no workflow definition (*.asl.json) to validate.") { Action = "Pass a *.asl.json file or a folder holding some." };

    public static ReconException JobNotFound(string id) =>
        new($"no job '{id}': see 'recon jobs list'.") { Action = "Run 'recon jobs list' to see the jobs." };

    public static ReconException JobNotDead(string id) =>
        new($"job '{id}' is not in the dead list: see 'recon jobs dead'.") { Action = "Run 'recon jobs dead' to see the dead list." };
}
