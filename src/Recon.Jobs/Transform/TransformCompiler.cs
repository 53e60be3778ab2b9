using System.Text.Json;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Recon.Core;
using Recon.Jobs.Engine;
using Recon.Jobs.Sources;

namespace Recon.Jobs.Transform;

/// <summary>
/// Compiles a <see cref="TransformSpec"/> into one SELECT over typed views of its inputs, step by step, checking each
/// step against the columns the previous one produced. Errors name the step, its operation and the expression.
/// </summary>
/// <remarks>
/// Text inputs whose numbers fit 18 digits become DECIMAL(18, s), which the engine computes in 64-bit integers and
/// where an overflow is an error; with <paramref name="wide"/> every decimal input is DECIMAL(38, s) (128-bit, some
/// tens of times slower) — <see cref="TransformJob"/> compiles that way when the narrow run overflowed.
/// </remarks>
internal sealed class TransformCompiler(JobEngine engine, TransformSpec spec, string work, bool wide, CancellationToken ct)
{
    public const int MaxPivotColumns = 1000;

    private readonly SqlParameters _parameters = new();
    private readonly Dictionary<string, string> _views = new(StringComparer.Ordinal);

    public CompiledTransform Compile()
    {
        foreach (var (name, path) in spec.Inputs)
        {
            _views[name] = CreateInputView(name, path);
        }

        string rel = $"SELECT * FROM {_views[spec.From]}";
        var schema = Describe(rel, "input '" + spec.From + "'");
        for (int i = 0; i < spec.Steps.Count; i++)
        {
            var step = spec.Steps[i];
            var op = step["op"]?.GetValueKind() == JsonValueKind.String ? step["op"]!.GetValue<string>() : null;
            var label = $"step {i + 1} ({op ?? "no op"})";
            string? expression = null;
            try
            {
                rel = op switch
                {
                    "filter" => Filter(step, rel, schema, ref expression),
                    "derive" => Derive(step, rel, schema, ref expression),
                    "lookup" => Lookup(step, rel, schema),
                    "pivot" => Pivot(step, rel, schema),
                    "group" => Group(step, rel, schema, ref expression),
                    "sort" => Sort(step, rel, schema),
                    "select" or "rename" => Select(step, rel, schema),
                    _ => throw JobErrors.UnknownOp(op),
                };
            }
            catch (ReconException e)
            {
                throw JobErrors.InStep(label, e, expression);
            }
            catch (InvalidOperationException e)
            {
                throw JobErrors.InStep(label, e);
            }

            schema = Describe(rel, label);
        }

        return new CompiledTransform(rel, _parameters.Values, schema.Select(kv => (kv.Key, kv.Value.EngineType)).ToList());
    }

    private string CreateInputView(string name, string path)
    {
        var view = Sql.Id("input:" + name);
        var table = InputTable.Open(engine, path, Path.Combine(work, "in-" + _views.Count), $"input '{name}'", ct);
        string select;
        if (table.Format == InputFormat.Parquet)
        {
            // Parquet carries its own types: DECIMAL stays exact, text stays text.
            select = $"SELECT * FROM read_parquet({Sql.TextList(table.Files)}, union_by_name = true)";
        }
        else
        {
            var profiles = ColumnProfile.Measure(engine, table.From, table.Columns, screen: true);
            var columns = profiles.Select(p => p.IsNumeric
                ? $"CAST({Sql.Id(p.Name)} AS DECIMAL({(!wide && p.IntegerDigits + p.Scale <= 18 ? 18 : 38)},{p.Scale})) AS {Sql.Id(p.Name)}"
                : Sql.Id(p.Name));
            select = $"SELECT {Sql.Join(columns)} FROM {table.From}";
        }

        if (wide)
        {
            // Every decimal (and integer) column at 38 digits, so that no step is held to 18.
            var described = engine.Describe(select);
            var widened = described.Select(c => ValueType.FromEngine(c.Type) is { Kind: ValueKind.Decimal, Precision: <= 38 } t
                ? $"CAST({Sql.Id(c.Name)} AS DECIMAL(38,{t.Scale})) AS {Sql.Id(c.Name)}"
                : Sql.Id(c.Name));
            select = $"SELECT {Sql.Join(widened)} FROM ({select}) AS w";
        }

        engine.Execute($"CREATE TEMP VIEW {view} AS {select}");
        return view;
    }

    private Dictionary<string, ValueType> Describe(string rel, string label)
    {
        try
        {
            var columns = engine.Describe(rel, [.. _parameters.Values]);
            var schema = new Dictionary<string, ValueType>(StringComparer.Ordinal);
            foreach (var (name, type) in columns)
            {
                schema[name] = ValueType.FromEngine(type) with { EngineType = type };
            }

            return schema;
        }
        catch (DuckDBException e)
        {
            throw JobEngine.Fail(label, e);
        }
    }

    private (string Sql, ValueType Type) Expression(string text, IReadOnlyDictionary<string, ValueType> schema, ref string? expression, IReadOnlySet<string>? groupKeys = null)
    {
        expression = text;
        return new ExprCompiler(schema, _parameters, groupKeys).Compile(ExprParser.Parse(text));
    }

    private string Filter(JsonObject step, string rel, Dictionary<string, ValueType> schema, ref string? expression)
    {
        var (sql, type) = Expression(String(step, "where"), schema, ref expression);
        if (type.Kind is not (ValueKind.Bool or ValueKind.Null))
        {
            throw JobErrors.FilterNotCondition(type);
        }

        return $"SELECT * FROM ({rel}) AS t WHERE {sql}";
    }

    private string Derive(JsonObject step, string rel, Dictionary<string, ValueType> schema, ref string? expression)
    {
        var columns = step["columns"] as JsonObject ?? throw JobErrors.DeriveWithoutColumns();
        var current = new Dictionary<string, ValueType>(schema, StringComparer.Ordinal);
        foreach (var (name, value) in columns)
        {
            // Each new column sees the ones before it, as in a spreadsheet.
            var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw JobErrors.ColumnWithoutExpression(name);
            var (sql, type) = Expression(text, current, ref expression);
            rel = current.ContainsKey(name)
                ? $"SELECT * REPLACE ({sql} AS {Sql.Id(name)}) FROM ({rel}) AS t"
                : $"SELECT *, {sql} AS {Sql.Id(name)} FROM ({rel}) AS t";
            current[name] = type;
        }

        expression = null;
        return rel;
    }

    private string Lookup(JsonObject step, string rel, Dictionary<string, ValueType> schema)
    {
        var from = String(step, "from");
        if (!_views.TryGetValue(from, out var view))
        {
            throw JobErrors.LookupInputUnknown(from, _views.Keys);
        }

        var right = Describe($"SELECT * FROM {view}", $"input '{from}'");
        var on = Pairs(step["on"], "on");
        var bring = Pairs(step["columns"], "columns");
        foreach (var (l, r) in on)
        {
            if (!schema.TryGetValue(l, out var lt))
            {
                throw JobErrors.LookupKeyNotInRows(l, schema.Keys);
            }

            if (!right.TryGetValue(r, out var rt))
            {
                throw JobErrors.LookupKeyNotInInput(r, from, right.Keys);
            }

            if (!(lt.IsNumber && rt.IsNumber) && lt.Kind != rt.Kind)
            {
                throw JobErrors.LookupKeyTypesDiffer(l, lt, from, r, rt);
            }
        }

        foreach (var (newName, r) in bring)
        {
            if (!right.ContainsKey(r))
            {
                throw JobErrors.LookupColumnNotInInput(r, from, right.Keys);
            }

            if (schema.ContainsKey(newName))
            {
                throw JobErrors.LookupColumnClash(newName, r);
            }
        }

        var keyList = Sql.Join(on.Select(p => Sql.Id(p.Value)));
        var multiple = Text(step["multiple"]) ?? "error";
        string source;
        switch (multiple)
        {
            case "error":
                long dups = engine.Scalar<long>($"SELECT count(*) FROM (SELECT {keyList} FROM {view} GROUP BY ALL HAVING count(*) > 1)");
                if (dups > 0)
                {
                    var sample = engine.Scalar<string>($"SELECT string_agg(k, '; ') FROM (SELECT concat_ws('|', {keyList}) AS k FROM {view} GROUP BY {keyList} HAVING count(*) > 1 ORDER BY 1 LIMIT 5)");
                    throw JobErrors.LookupDuplicateKeys(dups, from, sample);
                }

                source = view;
                break;
            case "first":
                source = $"(SELECT * FROM (SELECT *, row_number() OVER () AS __ord FROM {view}) QUALIFY row_number() OVER (PARTITION BY {keyList} ORDER BY __ord) = 1)";
                break;
            case "all":
                source = view;
                break;
            default:
                throw JobErrors.LookupMultipleUnknown(multiple);
        }

        var rightSelect = Sql.Join(on.Select(p => $"{Sql.Id(p.Value)} AS {Sql.Id("__k:" + p.Key)}").Concat(bring.Select(p => $"{Sql.Id(p.Value)} AS {Sql.Id(p.Key)}")));
        var condition = Sql.Join(on.Select(p => $"l.{Sql.Id(p.Key)} = r.{Sql.Id("__k:" + p.Key)}"), " AND ");
        var brought = Sql.Join(bring.Select(p => $"r.{Sql.Id(p.Key)}"));
        return $"SELECT l.*, {brought} FROM ({rel}) AS l LEFT JOIN (SELECT {rightSelect} FROM {source}) AS r ON {condition}";
    }

    private string Pivot(JsonObject step, string rel, Dictionary<string, ValueType> schema)
    {
        var rows = Names(step["rows"], "rows");
        var column = String(step, "column");
        var values = String(step, "values");
        var aggregate = Text(step["aggregate"]) ?? "sum";
        foreach (var c in rows.Append(column).Append(values))
        {
            if (!schema.ContainsKey(c))
            {
                throw JobErrors.PivotColumnUnknown(c, schema.Keys);
            }
        }

        var distinct = new List<string?>();
        if (step["column_values"] is { } given)
        {
            // The output columns named in the spec (required on Athena, which has no PIVOT): the same columns here.
            distinct.AddRange(PivotValues(given));
        }
        else
        {
            using var r = engine.Reader($"SELECT DISTINCT CAST({Sql.Id(column)} AS VARCHAR) FROM ({rel}) AS t ORDER BY 1 NULLS LAST LIMIT {MaxPivotColumns + 1}", [.. _parameters.Values]);
            while (r.Read())
            {
                distinct.Add(r.IsDBNull(0) ? null : r.GetString(0));
            }
        }

        if (distinct.Count > MaxPivotColumns)
        {
            throw JobErrors.PivotTooManyValues(column, MaxPivotColumns);
        }

        var select = rows.Select(Sql.Id).ToList();
        foreach (var value in distinct)
        {
            var name = value ?? "null";
            if (rows.Contains(name, StringComparer.Ordinal))
            {
                throw JobErrors.PivotValueClash(name, column);
            }

            var match = value is null ? $"{Sql.Id(column)} IS NULL" : $"CAST({Sql.Id(column)} AS VARCHAR) = {_parameters.Add(value)}";
            var (sql, _) = ExprCompiler.AggregateOf(aggregate, $"(CASE WHEN {match} THEN {Sql.Id(values)} END)", schema[values]);
            select.Add($"{sql} AS {Sql.Id(name)}");
        }

        var groupBy = rows.Count > 0 ? $" GROUP BY {Sql.Join(rows.Select(Sql.Id))}" : "";
        return $"SELECT {Sql.Join(select)} FROM ({rel}) AS t{groupBy}";
    }

    private string Group(JsonObject step, string rel, Dictionary<string, ValueType> schema, ref string? expression)
    {
        var by = Names(step["by"], "by");
        foreach (var c in by.Where(c => !schema.ContainsKey(c)))
        {
            throw JobErrors.GroupByUnknown(c, schema.Keys);
        }

        var aggregates = step["aggregates"] as JsonObject ?? throw JobErrors.GroupWithoutAggregates();
        var keys = by.ToHashSet(StringComparer.Ordinal);
        var select = by.Select(Sql.Id).ToList();
        foreach (var (name, value) in aggregates)
        {
            var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw JobErrors.AggregateWithoutExpression(name);
            var (sql, _) = Expression(text, schema, ref expression, keys);
            select.Add($"{sql} AS {Sql.Id(name)}");
        }

        expression = null;
        var groupBy = by.Count > 0 ? $" GROUP BY {Sql.Join(by.Select(Sql.Id))}" : "";
        return $"SELECT {Sql.Join(select)} FROM ({rel}) AS t{groupBy}";
    }

    private static string Sort(JsonObject step, string rel, Dictionary<string, ValueType> schema)
    {
        var order = new List<string>();
        foreach (var item in Names(step["by"], "by"))
        {
            bool descending = item.StartsWith('-');
            var name = descending ? item[1..] : item;
            if (!schema.ContainsKey(name))
            {
                throw JobErrors.SortByUnknown(name, schema.Keys);
            }

            order.Add($"{Sql.Id(name)} {(descending ? "DESC" : "ASC")} NULLS LAST");
        }

        return $"SELECT * FROM ({rel}) AS t ORDER BY {Sql.Join(order)}";
    }

    private static string Select(JsonObject step, string rel, Dictionary<string, ValueType> schema)
    {
        var columns = step["columns"] is null ? [.. schema.Keys] : Names(step["columns"], "columns");
        var rename = step["rename"] is null ? [] : Pairs(step["rename"], "rename");
        foreach (var c in columns.Concat(rename.Select(p => p.Key)).Where(c => !schema.ContainsKey(c)))
        {
            throw JobErrors.SelectUnknown(c, schema.Keys);
        }

        var names = rename.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var output = columns.Select(c => names.GetValueOrDefault(c, c)).ToList();
        var clash = output.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw JobErrors.SelectNameTwice(clash.Key);
        }

        return $"SELECT {Sql.Join(columns.Select(c => names.TryGetValue(c, out var n) ? $"{Sql.Id(c)} AS {Sql.Id(n)}" : Sql.Id(c)))} FROM ({rel}) AS t";
    }

    /// <summary>A pivot's "column_values": the values of its column that become output columns (text, or null).</summary>
    internal static List<string?> PivotValues(JsonNode node)
    {
        var values = node is JsonArray { Count: > 0 } a
            ? a.Select(v => v is null ? null : v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw JobErrors.PivotValuesNotText()).ToList()
            : throw JobErrors.PivotValuesEmpty();
        var twice = values.GroupBy(v => v ?? "null", StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? values : throw JobErrors.PivotValueTwice(twice.Key);
    }

    /// <summary>
    /// An optional field whose valid values are words ("multiple", "aggregate"): a string's value, any other JSON value as
    /// written (so that 1 is refused as '1' by the check that lists the valid words), null when absent.
    /// </summary>
    internal static string? Text(JsonNode? node) =>
        node is null ? null : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();

    internal static string String(JsonObject step, string field) =>
        step[field]?.GetValueKind() == JsonValueKind.String ? step[field]!.GetValue<string>() : throw JobErrors.FieldNotString(field);

    internal static List<string> Names(JsonNode? node, string field) => node switch
    {
        null => [],
        JsonArray a => a.Select(n => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : throw JobErrors.NamesNotText(field)).ToList(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => throw JobErrors.NamesExpected(field),
    };

    /// <summary>{"a": "b"} pairs, or ["a", …] meaning a → a.</summary>
    internal static List<KeyValuePair<string, string>> Pairs(JsonNode? node, string field) => node switch
    {
        JsonObject o when o.Count > 0 => o.Select(p => new KeyValuePair<string, string>(p.Key,
            p.Value?.GetValueKind() == JsonValueKind.String ? p.Value.GetValue<string>() : throw JobErrors.PairNotName(field, p.Key))).ToList(),
        JsonArray or JsonValue => Names(node, field).Select(n => new KeyValuePair<string, string>(n, n)).ToList(),
        _ => throw JobErrors.PairsMissing(field),
    };
}
