namespace Recon.Core.Ports;

public readonly record struct ObjectEntry(string Key, long Length);
