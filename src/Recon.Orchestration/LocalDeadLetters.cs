using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Core;

namespace Recon.Orchestration;

/// <summary>
/// The local stand-in for the SQS dead-letter queue of <c>${DeadLetterQueueUrl}</c>: the definitions'
/// <c>sqs:sendMessage</c> appends here, one JSON line per message, in <c>dead-letters.jsonl</c> of the data folder
/// (or in memory when there is no folder). <c>recon dead-letters</c> lists them.
/// </summary>
public sealed class LocalDeadLetters(string? path, TimeProvider time)
{
    public const string FileName = "dead-letters.jsonl";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<DeadLetter> _memory = [];

    /// <summary>Appends a message and returns its id.</summary>
    public async Task<string> SendAsync(string queue, string body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(body);
        var letter = new DeadLetter(time.GetUtcNow(), queue, Guid.NewGuid().ToString(), body);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (path is null)
            {
                _memory.Add(letter);
                return letter.MessageId;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var line = new JsonObject
            {
                ["at"] = IsoTime.Format(letter.At),
                ["queue"] = letter.Queue,
                ["message_id"] = letter.MessageId,
                ["body"] = letter.Body,
            }.ToJsonString() + "\n";
            await File.AppendAllTextAsync(path, line, Encoding.UTF8, ct).ConfigureAwait(false);
            return letter.MessageId;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every message, oldest first.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (path is null)
            {
                return [.. _memory];
            }

            if (!File.Exists(path))
            {
                return [];
            }

            var letters = new List<DeadLetter>();
            int number = 0;
            foreach (var line in await File.ReadAllLinesAsync(path, Encoding.UTF8, ct).ConfigureAwait(false))
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    var o = JsonNode.Parse(line) as JsonObject ?? throw new FormatException("not a JSON object");
                    string Field(string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var text) ? text : throw new FormatException($"'{name}' is missing");
                    letters.Add(new DeadLetter(
                        IsoTime.TryParse(Field("at"), out var at) ? at : throw new FormatException($"'at' is not a time: {o["at"]}"),
                        Field("queue"), Field("message_id"), Field("body")));
                }
                catch (Exception e) when (e is JsonException or FormatException)
                {
                    throw OrchestrationErrors.DeadLetterLineInvalid(path, number, e);
                }
            }

            return letters;
        }
        finally
        {
            _gate.Release();
        }
    }
}
