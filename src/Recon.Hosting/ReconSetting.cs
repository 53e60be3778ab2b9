namespace Recon.Hosting;

/// <summary>
/// One setting of <see cref="ReconSettings"/>: its key (in recon.json; as RECON_KEY; as --key), what it is (the
/// flag's help), and how a value of it is applied. <see cref="ReconSettings.Table"/> lists them all, once.
/// </summary>
public sealed record ReconSetting(string Key, string Description, Func<ReconSettings, string, ReconSettings> Apply);
