namespace Recon.Workflows;

/// <summary>A Lambda-style function: reads its JSON input from a stream and returns a stream of JSON output.</summary>
public delegate Task<Stream> TaskHandler(Stream input, CancellationToken ct);
