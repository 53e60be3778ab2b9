using System.Text.Json.Nodes;

namespace Recon.Lambda.Tests;

/// <summary>Keeps every SendTaskSuccess a handler makes.</summary>
internal sealed class RecordingCallbacks : ITaskCallbacks
{
    private readonly List<(string Token, JsonObject Output)> _sent = [];

    public IReadOnlyList<(string Token, JsonObject Output)> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public void Clear()
    {
        lock (_sent)
        {
            _sent.Clear();
        }
    }

    public Task<bool> SendTaskSuccessAsync(string taskToken, string outputJson, CancellationToken ct)
    {
        lock (_sent)
        {
            _sent.Add((taskToken, JsonNode.Parse(outputJson)!.AsObject()));
        }

        return Task.FromResult(true);
    }
}
