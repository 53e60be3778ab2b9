using Recon.Core;

namespace Recon.Cache.Redis;

/// <summary>
/// Redis did not accept the configured credentials, or (when its default user has no password) silently let the
/// connection on as <c>default</c> instead of the configured user. A configuration error: it is not swallowed as a miss.
/// </summary>
public sealed class RedisAuthenticationException(string message, Exception? inner = null) : ReconException(message, inner!);
