using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recon.Workflows;

/// <summary>One JSON file per execution (<c>ID.json</c>), replaced atomically: written to a temp file, then renamed.</summary>
public sealed class FileExecutionStore : IExecutionStore
{
    private const int FormatVersion = 1;
    private readonly string _directory;

    public FileExecutionStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = directory;
    }

    public async Task SaveAsync(Execution execution, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(execution);
        Directory.CreateDirectory(_directory);
        var path = PathOf(execution.Id);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                ToJson(execution).WriteTo(writer);
                await writer.FlushAsync(ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public async Task<IReadOnlyList<ExecutionSummary>> ListAsync(CancellationToken ct)
    {
        if (!Directory.Exists(_directory))
        {
            return [];
        }

        var summaries = new List<ExecutionSummary>();
        foreach (var file in Directory.EnumerateFiles(_directory, "*.json"))
        {
            var execution = await ReadAsync(file, ct).ConfigureAwait(false);
            if (execution is not null)
            {
                summaries.Add(execution.ToSummary());
            }
        }

        return [.. summaries.OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id, StringComparer.Ordinal)];
    }

    public Task<Execution?> GetAsync(string id, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return ReadAsync(PathOf(id), ct);
    }

    private string PathOf(string id)
    {
        if (id.AsSpan().IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || id.StartsWith('.'))
        {
            throw new ArgumentException($"execution id '{id}' cannot be used as a file name", nameof(id));
        }

        return System.IO.Path.Combine(_directory, id + ".json");
    }

    private static async Task<Execution?> ReadAsync(string path, CancellationToken ct)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return FromJson(JsonNode.Parse(bytes)!.AsObject());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NullReferenceException or KeyNotFoundException)
        {
            throw new InvalidDataException($"execution file '{path}' is not a valid execution record: {ex.Message}", ex);
        }
    }

    private static JsonObject ToJson(Execution execution)
    {
        var events = new JsonArray();
        foreach (var e in execution.Events)
        {
            var item = new JsonObject
            {
                ["id"] = e.Id,
                ["timestamp"] = Iso(e.Timestamp),
                ["type"] = e.Type.ToString(),
            };
            AddIfSet(item, "stateName", e.StateName);
            AddIfSet(item, "scope", e.Scope);
            AddIfSet(item, "detail", e.Detail);
            AddIfSet(item, "error", e.Error);
            AddIfSet(item, "cause", e.Cause);
            if (e.Attempt is { } attempt)
            {
                item["attempt"] = attempt;
            }

            if (e.Delay is { } delay)
            {
                item["delayMs"] = (long)delay.TotalMilliseconds;
            }

            if (e.ItemIndex is { } index)
            {
                item["itemIndex"] = index;
            }

            events.Add(item);
        }

        var summary = execution.ToSummary();
        return new JsonObject
        {
            ["formatVersion"] = FormatVersion,
            ["id"] = summary.Id,
            ["name"] = summary.Name,
            ["stateMachine"] = summary.StateMachine,
            ["status"] = summary.Status.ToString(),
            ["startedAt"] = Iso(summary.StartedAt),
            ["stoppedAt"] = summary.StoppedAt is { } stopped ? Iso(stopped) : null,
            ["error"] = summary.Error,
            ["cause"] = summary.Cause,
            ["input"] = execution.Input?.DeepClone(),
            ["output"] = execution.Output?.DeepClone(),
            ["events"] = events,
        };
    }

    private static Execution FromJson(JsonObject o)
    {
        var version = o["formatVersion"]!.GetValue<int>();
        if (version != FormatVersion)
        {
            throw new FormatException($"format version {version} is not {FormatVersion}");
        }

        var events = new List<HistoryEvent>();
        foreach (var node in o["events"]!.AsArray())
        {
            var e = node!.AsObject();
            events.Add(new HistoryEvent(
                e["id"]!.GetValue<long>(),
                ParseIso(e["timestamp"]!.GetValue<string>()),
                Enum.Parse<HistoryEventType>(e["type"]!.GetValue<string>()),
                e["stateName"]?.GetValue<string>(),
                e["detail"]?.GetValue<string>())
            {
                Scope = e["scope"]?.GetValue<string>(),
                Error = e["error"]?.GetValue<string>(),
                Cause = e["cause"]?.GetValue<string>(),
                Attempt = e["attempt"]?.GetValue<int>(),
                Delay = e["delayMs"] is { } ms ? TimeSpan.FromMilliseconds(ms.GetValue<long>()) : null,
                ItemIndex = e["itemIndex"]?.GetValue<int>(),
            });
        }

        return Execution.Restore(
            o["id"]!.GetValue<string>(),
            o["name"]!.GetValue<string>(),
            o["stateMachine"]!.GetValue<string>(),
            ParseIso(o["startedAt"]!.GetValue<string>()),
            o["input"]?.DeepClone(),
            Enum.Parse<ExecutionStatus>(o["status"]!.GetValue<string>()),
            o["stoppedAt"] is { } stopped ? ParseIso(stopped.GetValue<string>()) : null,
            o["output"]?.DeepClone(),
            o["error"]?.GetValue<string>(),
            o["cause"]?.GetValue<string>(),
            events);
    }

    private static void AddIfSet(JsonObject o, string name, string? value)
    {
        if (value is not null)
        {
            o[name] = value;
        }
    }

    private static string Iso(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseIso(string text) =>
        DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
