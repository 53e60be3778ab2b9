namespace Recon.Infra.Tests;

/// <summary>Every test class that reads the synthesized stack shares one synth.</summary>
[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<SynthesizedStack>
{
    public const string Name = "synthesized stack";
}
