using System.Globalization;
using System.Text;
using System.Text.Json;
using Recon.Core;
using Recon.Jobs.Engine;
using Recon.Jobs.Transform;
using Recon.Testing;

namespace Recon.Jobs.Tests;

public sealed class TransformTests : IDisposable
{
    private static readonly JobEngineOptions Engine = new() { MemoryLimit = "256MB", Threads = 1 };
    private readonly TempFolder _dir = new();
    private readonly List<Order> _orders;

    public TransformTests()
    {
        string[] entities = ["ACME", "Globex", "Initech"];
        string[] currencies = ["EUR", "USD", "GBP", "JPY"];
        _orders = Enumerable.Range(0, 60).Select(i => new Order(
            $"O{i:D3}", entities[i % 3], currencies[i % 4],
            Amount: 10m + i * 7.35m - (i % 5 == 0 ? 100m : 0m),
            Qty: 1 + i % 7,
            Discount: i % 4 * 0.05m,
            Status: i % 3 == 1 ? "open" : "closed",
            Note: i % 2 == 0 ? "n" + i : null)).ToList();
        var csv = new StringBuilder("id,entity,currency,amount,qty,discount,status,note\n");
        foreach (var o in _orders)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{o.Id},{o.Entity},{o.Currency},{o.Amount},{o.Qty},{o.Discount},{o.Status},{o.Note}\n");
        }

        File.WriteAllText(_dir.File("orders.csv"), csv.ToString());
        // JPY has no rate: the lookup leaves it empty.
        File.WriteAllText(_dir.File("rates.csv"), "ccy,rate\nEUR,1.0850\nUSD,1\nGBP,1.2675\n");
        File.WriteAllText(_dir.File("rates_dup.csv"), "ccy,rate\nEUR,1.0850\nUSD,1\nGBP,1.2675\nEUR,2.5\n");
    }

    private sealed record Order(string Id, string Entity, string Currency, decimal Amount, int Qty, decimal Discount, string Status, string? Note);

    public void Dispose() => _dir.Dispose();

    private List<Dictionary<string, string>> Run(string steps, string output = "out.csv", string inputs = "\"orders\": \"orders.csv\", \"rates\": \"rates.csv\"", string from = "orders")
    {
        var json = $"{{\"inputs\": {{{inputs}}}, \"from\": \"{from}\", \"steps\": [{steps}], \"output\": {{\"path\": \"{output}\"}}}}";
        var spec = TransformSpec.Parse(json, _dir.Path);
        var result = TransformJob.Run(spec, _dir.File("work"), Engine, TimeProvider.System, CancellationToken.None);
        Assert.Equal(_dir.File(output), result.OutputPath);
        var rows = ReadCsv(result.OutputPath);
        Assert.Equal(result.Rows, rows.Count);
        return rows;
    }

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => l.Split(',')).Select(v => header.Select((h, i) => (h, v[i])).ToDictionary(p => p.h, p => p.Item2)).ToList();
    }

    private static decimal D(string s) => decimal.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void Filter_WithAndOrAndIsNullClauses_KeepsExactlyTheRowsTheConditionHolds()
    {
        var rows = Run("{\"op\": \"filter\", \"where\": \"amount > 100 and status = 'open' or note is null and qty >= 6\"}");
        var expected = _orders.Where(o => (o.Amount > 100 && o.Status == "open") || (o.Note is null && o.Qty >= 6)).Select(o => o.Id).Order().ToList();
        Assert.Equal(expected, rows.Select(r => r["id"]).Order().ToList());
        Assert.NotEmpty(expected);
    }

    [Fact]
    public void Derive_ArithmeticRoundAbsCoalesceIf_MatchDecimalsComputedHere()
    {
        var rows = Run("""
            {"op": "derive", "columns": {
              "net": "round(amount * qty * (1 - discount), 2)",
              "per_unit": "amount / qty",
              "neg": "abs(-amount) - abs(amount)",
              "label": "coalesce(note, 'none')",
              "size": "if(net >= 100, 'big', 'small')",
              "half": "amount ÷ 2 × 3 − 1"
            }}
            """).ToDictionary(r => r["id"]);
        foreach (var o in _orders)
        {
            var r = rows[o.Id];
            var net = Math.Round(o.Amount * o.Qty * (1 - o.Discount), 2, MidpointRounding.AwayFromZero);
            Assert.Equal(net, D(r["net"]));
            Assert.Equal(Math.Round(o.Amount / o.Qty, 6, MidpointRounding.AwayFromZero), D(r["per_unit"]));
            Assert.Equal(0m, D(r["neg"]));
            Assert.Equal(o.Note ?? "none", r["label"]);
            Assert.Equal(net >= 100 ? "big" : "small", r["size"]);
            Assert.Equal(o.Amount / 2 * 3 - 1, D(r["half"]));
        }
    }

    [Fact]
    public void Lookup_BringsTheMatchingRateOrNothing_AndHonoursTheMultipleMatchPolicy()
    {
        var rates = new Dictionary<string, decimal> { ["EUR"] = 1.0850m, ["USD"] = 1m, ["GBP"] = 1.2675m };
        var rows = Run("""
            {"op": "lookup", "from": "rates", "on": {"currency": "ccy"}, "columns": {"fx": "rate"}},
            {"op": "derive", "columns": {"converted": "round(amount * fx, 2)"}}
            """).ToDictionary(r => r["id"]);
        Assert.Equal(_orders.Count, rows.Count);
        foreach (var o in _orders)
        {
            if (rates.TryGetValue(o.Currency, out var rate))
            {
                Assert.Equal(rate, D(rows[o.Id]["fx"]));
                Assert.Equal(Math.Round(o.Amount * rate, 2, MidpointRounding.AwayFromZero), D(rows[o.Id]["converted"]));
            }
            else
            {
                Assert.Equal("", rows[o.Id]["fx"]);
            }
        }

        var inputs = "\"orders\": \"orders.csv\", \"rates\": \"rates_dup.csv\"";
        var error = Assert.Throws<ReconException>(() => Run("{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": [\"rate\"]}", inputs: inputs));
        Assert.Contains("step 1 (lookup): 1 key(s) match several rows of 'rates' (e.g. EUR)", error.Message, StringComparison.Ordinal);

        var first = Run("{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": [\"rate\"], \"multiple\": \"first\"}", inputs: inputs);
        Assert.All(first.Where(r => r["currency"] == "EUR"), r => Assert.Equal(1.0850m, D(r["rate"])));
        Assert.Equal(_orders.Count, first.Count);

        var all = Run("{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": [\"rate\"], \"multiple\": \"all\"}", inputs: inputs);
        Assert.Equal(_orders.Count + _orders.Count(o => o.Currency == "EUR"), all.Count);
    }

    [Fact]
    public void Pivot_WithOneCombinationFilteredOut_SumsValuesPerRowAndColumnValue()
    {
        var rows = Run("{\"op\": \"filter\", \"where\": \"not (entity = 'ACME' and currency = 'USD')\"}, {\"op\": \"pivot\", \"rows\": [\"entity\"], \"column\": \"currency\", \"values\": \"amount\", \"aggregate\": \"sum\"}")
            .ToDictionary(r => r["entity"]);
        Assert.Equal(3, rows.Count);
        foreach (var g in _orders.Where(o => !(o.Entity == "ACME" && o.Currency == "USD")).GroupBy(o => (o.Entity, o.Currency)))
        {
            Assert.Equal(g.Sum(o => o.Amount), D(rows[g.Key.Entity][g.Key.Currency]));
        }

        // A combination that never occurs is empty, not zero.
        Assert.Equal("", rows["ACME"]["USD"]);
    }

    [Fact]
    public void Group_SumCountMinMaxAvg_AreExact()
    {
        var rows = Run("{\"op\": \"group\", \"by\": [\"entity\"], \"aggregates\": {\"total\": \"sum(amount)\", \"n\": \"count()\", \"lo\": \"min(amount)\", \"hi\": \"max(amount)\", \"mean\": \"avg(amount)\", \"spread\": \"max(amount) - min(amount)\"}}")
            .ToDictionary(r => r["entity"]);
        foreach (var g in _orders.GroupBy(o => o.Entity))
        {
            var r = rows[g.Key];
            Assert.Equal(g.Sum(o => o.Amount), D(r["total"]));
            Assert.Equal(g.Count(), int.Parse(r["n"], CultureInfo.InvariantCulture));
            Assert.Equal(g.Min(o => o.Amount), D(r["lo"]));
            Assert.Equal(g.Max(o => o.Amount) - g.Min(o => o.Amount), D(r["spread"]));
            Assert.Equal(Math.Round(g.Sum(o => o.Amount) / g.Count(), 6, MidpointRounding.AwayFromZero), D(r["mean"]));
        }
    }

    [Fact]
    public void SortAndSelect_ByEntityThenDescendingAmount_OrderRenameAndDropColumns()
    {
        var rows = Run("{\"op\": \"sort\", \"by\": [\"entity\", \"-amount\"]}, {\"op\": \"select\", \"columns\": [\"entity\", \"amount\", \"id\"], \"rename\": {\"amount\": \"value\"}}");
        var expected = _orders.OrderBy(o => o.Entity, StringComparer.Ordinal).ThenByDescending(o => o.Amount).ToList();
        Assert.Equal(["entity", "value", "id"], rows[0].Keys.ToArray());
        Assert.Equal(expected.Select(o => o.Id), rows.Select(r => r["id"]));
        Assert.Equal(expected.Select(o => o.Amount), rows.Select(r => D(r["value"])));
    }

    [Fact]
    public void Output_Parquet_KeepsExactDecimals()
    {
        var json = "{\"inputs\": {\"orders\": \"orders.csv\"}, \"steps\": [{\"op\": \"group\", \"by\": [], \"aggregates\": {\"total\": \"sum(amount)\"}}], \"output\": {\"path\": \"out.parquet\"}}";
        var result = TransformJob.Run(TransformSpec.Parse(json, _dir.Path), _dir.File("work"), Engine, TimeProvider.System, CancellationToken.None);
        using var engine = new JobEngine(Engine, _dir.Path);
        Assert.Equal("DECIMAL(38,2)", engine.Scalar<string>($"SELECT typeof(total) FROM read_parquet('{result.OutputPath}')"));
        Assert.Equal(_orders.Sum(o => o.Amount), engine.Scalar<decimal>($"SELECT total FROM read_parquet('{result.OutputPath}')"));
    }

    [Fact]
    public void Spec_InjectionAttempts_AreValuesOrUnknownNamesNeverSql()
    {
        // A text literal that tries to close the quote and run a statement is just a value that matches nothing.
        var none = Run("{\"op\": \"filter\", \"where\": \"status = 'open''; COPY (SELECT 1) TO ''/tmp/pwned.csv''; --'\"}");
        Assert.Empty(none);
        Assert.False(File.Exists("/tmp/pwned.csv"));

        // A name that tries to break out of its quotes is an unknown column, named as given.
        var error = Assert.Throws<ReconException>(() => Run("{\"op\": \"derive\", \"columns\": {\"x\": \"\\\"amount\\\"\\\" FROM t; DROP TABLE t; --\\\"\"}}"));
        Assert.Contains("step 1 (derive): unknown column 'amount\" FROM t; DROP TABLE t; --'", error.Message, StringComparison.Ordinal);

        // A new column may be called anything: it is a quoted identifier.
        var rows = Run("{\"op\": \"derive\", \"columns\": {\"a\\\"; DROP TABLE x; --\": \"qty + 1\"}}, {\"op\": \"select\", \"columns\": [\"a\\\"; DROP TABLE x; --\"]}");
        Assert.Equal(_orders.Select(o => (o.Qty + 1).ToString(CultureInfo.InvariantCulture)), rows.Select(r => r.Values.Single()));
    }

    [Fact]
    public void Spec_UnknownColumnOrTypeError_NamesTheStepAndExpression()
    {
        var unknown = Assert.Throws<ReconException>(() => Run("{\"op\": \"filter\", \"where\": \"amount > 1\"}, {\"op\": \"derive\", \"columns\": {\"x\": \"amout * 2\"}}"));
        Assert.Equal("step 2 (derive): unknown column 'amout'; the rows have: id, entity, currency, amount, qty, discount, status, note (expression: amout * 2)", unknown.Message);

        var type = Assert.Throws<ReconException>(() => Run("{\"op\": \"derive\", \"columns\": {\"x\": \"amount + status\"}}"));
        Assert.Equal("step 1 (derive): '+' needs a number, not text (expression: amount + status)", type.Message);

        var parse = Assert.Throws<ReconException>(() => Run("{\"op\": \"filter\", \"where\": \"amount > (1\"}"));
        Assert.StartsWith("step 1 (filter): expected ')' at position", parse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spec_StepFieldOfTheWrongJsonType_IsRefusedNamingTheStepAndWhatIsValid()
    {
        // A number where a word or an expression belongs is the user's error, said as such: not a .NET conversion message.
        var multiple = Assert.Throws<ReconException>(() => Run("{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": [\"rate\"], \"multiple\": 1}"));
        Assert.Equal("step 1 (lookup): \"multiple\": '1' is not error, first or all", multiple.Message);

        var pivot = Assert.Throws<ReconException>(() => Run("{\"op\": \"pivot\", \"rows\": [\"entity\"], \"column\": \"currency\", \"values\": \"amount\", \"aggregate\": 2}"));
        Assert.Equal("step 1 (pivot): aggregate '2' is not one of sum, min, max, count, avg", pivot.Message);

        var group = Assert.Throws<ReconException>(() => Run("{\"op\": \"group\", \"by\": [\"entity\"], \"aggregates\": {\"total\": 1}}"));
        Assert.Equal("step 1 (group): aggregate 'total' needs an expression", group.Message);
    }

    [Theory]
    [InlineData("\"from\": 1", "\"from\" must be an input name (a string), not 1")]
    [InlineData("\"output\": {\"path\": 5}", "\"output\".\"path\" must be a path (a string), not 5")]
    [InlineData("\"output\": {\"path\": \"out.csv\", \"format\": 1}", "\"output\".\"format\" must be csv or parquet (a string), not 1")]
    [InlineData("\"memory_limit\": true", "\"memory_limit\" must be a size such as 512MB or 2GB (a string), not true")]
    [InlineData("\"from\": [\"orders\"]", "\"from\" must be an input name (a string), not [\"orders\"]")]
    public void Parse_TopLevelFieldOfTheWrongJsonType_IsRefusedNamingTheFieldAndWhatItMustBe(string field, string message)
    {
        // Before, these threw InvalidOperationException from GetValue<string>(): the CLI showed "unexpected failure".
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["inputs"] = "\"inputs\": {\"orders\": \"orders.csv\"}",
            ["output"] = "\"output\": {\"path\": \"out.csv\"}",
        };
        var name = field[1..field.IndexOf('"', 1)];
        defaults[name] = field;
        var json = "{" + string.Join(", ", defaults.Values) + "}";

        var error = Assert.Throws<ReconException>(() => TransformSpec.Parse(json, _dir.Path));
        Assert.Equal(message, error.Message);
        Assert.StartsWith("Write ", error.Action, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OptionalFieldsLeftOutOrNull_TakeTheirDefaults()
    {
        var spec = TransformSpec.Parse(
            "{\"inputs\": {\"orders\": \"orders.csv\"}, \"from\": null, \"memory_limit\": null, \"output\": {\"path\": \"out.parquet\", \"format\": null}}", _dir.Path);
        Assert.Equal("orders", spec.From);
        Assert.Equal("parquet", spec.OutputFormat);
        Assert.Null(spec.MemoryLimit);
    }

    [Fact]
    public void Run_MissingInputOrDuplicateLookupKeys_TheErrorCarriesTheFileAndWhatToDo()
    {
        var missing = Assert.Throws<ReconException>(() => Run("", inputs: "\"orders\": \"gone.csv\""));
        Assert.StartsWith($"input 'orders' '{_dir.File("gone.csv")}' does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Equal(_dir.File("gone.csv"), missing.File);
        Assert.Equal("Give a file or a folder of CSV, JSON Lines (.jsonl, .jsonl.gz) or Parquet files.", missing.Action);

        // An error inside a step is prefixed with the step and keeps what the inner error says to do.
        var duplicates = Assert.Throws<ReconException>(() => Run(
            "{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": [\"rate\"]}",
            inputs: "\"orders\": \"orders.csv\", \"rates\": \"rates_dup.csv\""));
        Assert.StartsWith("step 1 (lookup): ", duplicates.Message, StringComparison.Ordinal);
        Assert.Equal("Set \"multiple\": \"first\" (the first row in file order) or \"all\" (one output row per match).", duplicates.Action);
    }

    [Fact]
    public void Derive_DivisionOfSmallLargeAndNegativeOperands_IsRoundedHalfAwayFromZeroExactly()
    {
        // Operands on both sides of the 64-bit path's bounds (a ≥ 10^9 takes the 128-bit branch), signs, exact midpoints
        // at the sixth place, divisors with places, and a zero divisor.
        (string A, string B)[] pairs =
        [
            ("1", "2000000"), ("-1", "2000000"), ("3", "2000000"), ("10.00", "3"), ("-10.00", "3"), ("2", "-3"),
            ("123456789012.34", "7"), ("-98765432.43", "0.0013"), ("0.01", "0.0007"), ("5", "0"), ("7.5", "2.5"),
        ];
        File.WriteAllText(_dir.File("pairs.csv"), "id,a,b\n" + string.Concat(pairs.Select((p, i) => $"P{i},{p.A},{p.B}\n")));
        var rows = Run("""
            {"op": "derive", "columns": {"q": "a / b", "mixed": "if(b > 1, a / b, a)", "c": "coalesce(a / b, b)"}}
            """, inputs: "\"pairs\": \"pairs.csv\"", from: "pairs").ToDictionary(r => r["id"]);
        for (int i = 0; i < pairs.Length; i++)
        {
            var (a, b) = (D(pairs[i].A), D(pairs[i].B));
            var r = rows["P" + i];
            decimal? q = b == 0 ? null : Math.Round(a / b, 6, MidpointRounding.AwayFromZero);
            if (q is null)
            {
                Assert.Equal("", r["q"]);
            }
            else
            {
                Assert.Equal(q, D(r["q"]));
            }

            Assert.Equal(b > 1 ? q!.Value : a, D(r["mixed"]));
            Assert.Equal(q ?? b, D(r["c"]));
        }
    }

    [Fact]
    public void Derive_ResultBeyondEighteenDigits_RunsAgainWithWideDecimalsAndStaysExact()
    {
        // The inputs fit 18 digits (the fast 64-bit path), the products do not: the job runs again at 38 digits.
        File.WriteAllText(_dir.File("big.csv"), "id,amount,rate\nB1,9999999999999999.99,1000.5\nB2,-12.34,2\n");
        var rows = Run("""
            {"op": "derive", "columns": {"x": "amount * rate", "y": "x / 3", "z": "round(x + amount, 1)"}}
            """, inputs: "\"big\": \"big.csv\"", from: "big").ToDictionary(r => r["id"]);
        foreach (var (id, amount, rate) in new[] { ("B1", 9999999999999999.99m, 1000.5m), ("B2", -12.34m, 2m) })
        {
            var x = amount * rate;
            Assert.Equal(x, D(rows[id]["x"]));
            Assert.Equal(Math.Round(x / 3, 6, MidpointRounding.AwayFromZero), D(rows[id]["y"]));
            Assert.Equal(Math.Round(x + amount, 1, MidpointRounding.AwayFromZero), D(rows[id]["z"]));
        }
    }
}
