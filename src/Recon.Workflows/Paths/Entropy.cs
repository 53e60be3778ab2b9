namespace Recon.Workflows.Paths;

/// <summary>Serializes access to the injected Random, which need not be thread-safe (a seeded one is not).</summary>
internal sealed class Entropy(Random random)
{
    private readonly Lock _gate = new();

    public double NextDouble()
    {
        lock (_gate)
        {
            return random.NextDouble();
        }
    }

    public long NextInt64(long minInclusive, long maxExclusive)
    {
        lock (_gate)
        {
            return random.NextInt64(minInclusive, maxExclusive);
        }
    }

    /// <summary>A version 4 UUID drawn from the random source, so seeded tests see the same ids.</summary>
    public Guid NextUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_gate)
        {
            random.NextBytes(bytes);
        }

        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }
}
