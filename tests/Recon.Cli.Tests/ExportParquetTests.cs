using System.Globalization;
using System.Text.Json;
using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace Recon.Cli.Tests;

/// <summary>`recon export --format parquet`: the file read back with Parquet.Net holds what the JSON export holds.</summary>
public sealed class ExportParquetTests
{
    [Fact]
    public async Task ExportParquet_ReadBackLatestAndHistory_MatchesTheJsonExport()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, (await cli.RunAsync("generate", "--out", cli.Inbox, "--batches", "3", "--events", "600", "--artifacts", "60", "--seed", "4")).Exit);
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);
        // A second version of one artifact, with an amount of 18 decimals.
        var some = CliHarness.Json((await cli.WithDataAsync("artifact", "get", "ORD-0000003", "--json")).Out);
        string currency = some.GetProperty("balances").EnumerateObject().First().Name;
        CliTests.WriteBatch(cli.Inbox, "b-late", 9,
            $"{{\"event_id\":\"late-1\",\"artifact_id\":\"ORD-0000003\",\"entity\":\"{some.GetProperty("entity").GetString()}\",\"type\":\"receivable\",\"amount\":\"0.000000000000000001\",\"currency\":\"{currency}\",\"occurred_at\":\"2026-11-21T11:00:01Z\"}}");
        Assert.Equal(0, (await cli.WithDataAsync("run")).Exit);

        foreach (bool history in new[] { false, true })
        {
            string jsonFile = Path.Combine(cli.Root, $"export-{history}.jsonl");
            string parquetFile = Path.Combine(cli.Root, $"export-{history}.parquet");
            string[] flag = history ? ["--history"] : [];
            Assert.Equal(0, (await cli.WithDataAsync(["export", "--out", jsonFile, .. flag])).Exit);
            var parquet = await cli.WithDataAsync(["export", "--format", "parquet", "--out", parquetFile, .. flag]);
            Assert.True(parquet.Exit == 0, parquet.Err);

            var expected = File.ReadAllLines(jsonFile).Select(FromJson).OrderBy(v => v.Key, StringComparer.Ordinal).ToList();
            var actual = (await ReadParquetAsync(parquetFile)).OrderBy(v => v.Key, StringComparer.Ordinal).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Key, actual[i].Key);
                Assert.Equal(expected[i].Columns, actual[i].Columns);
                Assert.Equal(expected[i].Amounts, actual[i].Amounts);
            }

            Assert.Contains($"exported {expected.Count} {(history ? "artifact version(s)" : "artifact(s)")}", parquet.Err, StringComparison.Ordinal);
            // The 18-decimal amount crossed exactly: the second version's receivable total ends in ...000000000000001.
            var late = Assert.Single(actual, v => v.Key == "ORD-0000003#2");
            Assert.Contains(late.Amounts, a => a.StartsWith($"total|receivable|{currency}|", StringComparison.Ordinal) && a.EndsWith("00000000000001", StringComparison.Ordinal));
            Assert.Equal(history ? 1 : 0, actual.Count(v => v.Key == "ORD-0000003#1"));
        }
    }

    [Fact]
    public async Task ExportParquet_WithoutOut_IsAUsageError()
    {
        using var cli = new CliHarness();

        var export = await cli.WithDataAsync("export", "--format", "parquet");

        Assert.NotEqual(0, export.Exit);
        Assert.Contains("--out", export.Err, StringComparison.Ordinal);
    }

    private static Version FromJson(string line)
    {
        var root = JsonDocument.Parse(line).RootElement;
        var amounts = new List<string>();
        foreach (var balance in root.GetProperty("balances").EnumerateObject())
        {
            amounts.Add($"balance||{balance.Name}|{Normal(balance.Value.GetString()!)}");
        }

        foreach (var type in root.GetProperty("totals").EnumerateObject())
        {
            foreach (var total in type.Value.EnumerateObject())
            {
                amounts.Add($"total|{type.Name}|{total.Name}|{Normal(total.Value.GetString()!)}");
            }
        }

        string columns = string.Join("|", root.GetProperty("entity").GetString(), root.GetProperty("run_id").GetString(),
            Time(root.GetProperty("updated_at").GetString()), root.GetProperty("status").GetString(), root.TryGetProperty("line_count", out var lineCount) ? lineCount.GetInt64() : root.GetProperty("lines").GetArrayLength(),
            Time(Optional(root, "first_event_at")), Time(Optional(root, "last_event_at")));
        return new Version($"{root.GetProperty("artifact_id").GetString()}#{root.GetProperty("version").GetInt64()}", columns, [.. amounts.Order(StringComparer.Ordinal)]);
    }

    private static async Task<List<Version>> ReadParquetAsync(string path)
    {
        await using var file = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(file);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name);
        var byKey = new Dictionary<string, (string Columns, List<string> Amounts)>(StringComparer.Ordinal);
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int rows = (int)group.RowCount;
            async Task<string?[]> Strings(string name)
            {
                var values = new string?[rows];
                await group.ReadAsync(fields[name], values.AsMemory());
                return values;
            }

            async Task<T[]> Values<T>(string name) where T : struct
            {
                var values = new T[rows];
                await group.ReadAsync<T>(fields[name], values.AsMemory());
                return values;
            }

            async Task<T?[]> Nullables<T>(string name) where T : struct
            {
                var values = new T?[rows];
                await group.ReadAsync<T>(fields[name], values.AsMemory());
                return values;
            }

            var ids = await Strings("artifact_id");
            var entities = await Strings("entity");
            var versions = await Values<long>("version");
            var runs = await Strings("run_id");
            var updated = await Values<DateTime>("updated_at");
            var statuses = await Strings("status");
            var lineCounts = await Values<long>("line_count");
            var first = await Nullables<DateTime>("first_event_at");
            var last = await Nullables<DateTime>("last_event_at");
            var measures = await Strings("measure");
            var types = await Strings("event_type");
            var currencies = await Strings("currency");
            var amounts = await Nullables<decimal>("amount");
            for (int r = 0; r < rows; r++)
            {
                string key = $"{ids[r]}#{versions[r]}";
                string columns = string.Join("|", entities[r], runs[r], Time(updated[r]), statuses[r], lineCounts[r], Time(first[r]), Time(last[r]));
                if (!byKey.TryGetValue(key, out var version))
                {
                    byKey[key] = version = (columns, []);
                }

                Assert.Equal(version.Columns, columns); // every row of a version repeats the same columns
                if (measures[r] is { } measure)
                {
                    version.Amounts.Add($"{measure}|{types[r]}|{currencies[r]}|{Normal(amounts[r]!.Value.ToString(CultureInfo.InvariantCulture))}");
                }
            }
        }

        return [.. byKey.Select(kv => new Version(kv.Key, kv.Value.Columns, [.. kv.Value.Amounts.Order(StringComparer.Ordinal)]))];
    }

    /// <summary>The same number written with a different scale compares equal: 1.50 and 1.500000000000000000.</summary>
    private static string Normal(string amount) =>
        (decimal.Parse(amount, NumberStyles.Number, CultureInfo.InvariantCulture) / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Time(string? iso) => iso is null ? "" : Time(DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture).UtcDateTime);

    /// <summary>Parquet timestamps are in microseconds (what Spark, Athena and DuckDB read): the JSON's 100 ns digit is dropped.</summary>
    private static string Time(DateTime? utc) => utc is { } t
        ? new DateTime(t.Ticks - (t.Ticks % 10), DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture)
        : "";

    private sealed record Version(string Key, string Columns, string[] Amounts)
    {
        public bool Equals(Version? other) => other is not null && Key == other.Key && Columns == other.Columns && Amounts.SequenceEqual(other.Amounts);

        public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
    }
}
