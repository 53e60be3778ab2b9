using Recon.Core;

namespace Recon.Cli;

/// <summary>A bad option value: reported like a parse error, with exit code 2.</summary>
internal sealed class UsageException(string message) : ReconException(message);
