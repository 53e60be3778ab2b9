using Recon.Core.Ports;
using Recon.Testing.Contracts;
using Recon.Testing.Servers;

namespace Recon.Cache.Redis.Tests;

/// <summary>The cache port's contract on the shared redis-server; a unique key prefix makes each test's cache new and empty.</summary>
public sealed class RedisArtifactCacheContractTests : ArtifactCacheContract
{
    protected override IArtifactCache CreateCache() => new RedisArtifactCache(
        RedisConfiguration.Parse(SharedServers.Redis.Endpoint),
        new RedisArtifactCacheOptions { KeyPrefix = $"contract:{Guid.NewGuid():N}:" });
}
