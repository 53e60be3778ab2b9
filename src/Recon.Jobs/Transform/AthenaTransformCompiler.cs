using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Recon.Core;
using Recon.Jobs.Engine;
using Recon.Jobs.Sources;

namespace Recon.Jobs.Transform;

/// <summary>
/// Compiles a <see cref="TransformSpec"/> to Athena (Trino SQL): one CREATE EXTERNAL TABLE per input over its S3 folder,
/// one UNLOAD of a single SELECT that applies every step (the same parsed expressions and type checks as the embedded
/// engine's dialect), and one DROP TABLE per input. Names are quoted, values are <c>?</c> placeholders bound through
/// <c>ExecutionParameters</c>, locations are checked against a strict S3 pattern before they are quoted.
/// </summary>
/// <remarks>
/// The inputs are profiled on the embedded engine (the types of CSV columns, a Parquet file's schema, a lookup's
/// duplicate keys), as the embedded path does. What Athena cannot do as the embedded engine does is refused with the
/// reason: <c>"multiple": "first"</c> (no file order), a pivot without <c>column_values</c> (no PIVOT: its columns must
/// be known when the SQL is written), a step after a sort (Trino drops a subquery's order), CSV output (UNLOAD writes no
/// header), JSON Lines inputs, names that differ only by case (Trino folds names to lower case).
/// </remarks>
internal sealed partial class AthenaTransformCompiler(JobEngine engine, TransformSpec spec, AthenaTarget target, string work, CancellationToken ct)
{
    private readonly SqlParameters _parameters = new(SqlDialect.Trino);
    private readonly Dictionary<string, Input> _inputs = new(StringComparer.Ordinal);

    private sealed record Input(string Table, string Rel, string View, Dictionary<string, ValueType> Schema);

    public AthenaPlan Compile()
    {
        if (!JobIdPattern().IsMatch(target.JobId))
        {
            throw JobErrors.AthenaJobIdInvalid(target.JobId);
        }

        if (!JobIdPattern().IsMatch(target.Database))
        {
            throw JobErrors.GlueDatabaseInvalid(target.Database);
        }

        if (spec.OutputFormat != "parquet")
        {
            throw JobErrors.AthenaOutputNotParquet();
        }

        var output = Location(spec.OutputPath, "the output");
        var statements = new List<AthenaStatement>();
        var cleanup = new List<AthenaStatement>();
        foreach (var (name, path) in spec.Inputs)
        {
            var (create, drop) = AddInput(name, path);
            statements.Add(create);
            cleanup.Add(drop);
        }

        var from = _inputs[spec.From];
        string rel = from.Rel;
        var schema = new Dictionary<string, ValueType>(from.Schema, StringComparer.Ordinal);
        List<(string Name, bool Descending)>? order = null;
        for (int i = 0; i < spec.Steps.Count; i++)
        {
            var step = spec.Steps[i];
            var op = step["op"]?.GetValueKind() == JsonValueKind.String ? step["op"]!.GetValue<string>() : null;
            var label = $"step {i + 1} ({op ?? "no op"})";
            string? expression = null;
            try
            {
                if (order is not null && op is not ("select" or "rename"))
                {
                    throw JobErrors.AthenaSortNotLast();
                }

                (rel, schema) = op switch
                {
                    "filter" => Filter(step, rel, schema, ref expression),
                    "derive" => Derive(step, rel, schema, ref expression),
                    "lookup" => Lookup(step, rel, schema),
                    "pivot" => Pivot(step, rel, schema),
                    "group" => Group(step, rel, schema, ref expression),
                    "sort" => (rel, schema),
                    "select" or "rename" => Select(step, rel, schema, order),
                    _ => throw JobErrors.UnknownOp(op),
                };
                if (op == "sort")
                {
                    order = Sort(step, schema);
                }

                CheckNames(schema.Keys);
            }
            catch (ReconException e)
            {
                throw JobErrors.InStep(label, e, expression);
            }
            catch (InvalidOperationException e)
            {
                throw JobErrors.InStep(label, e);
            }
        }

        if (order is not null)
        {
            rel = $"SELECT * FROM ({rel}) AS t ORDER BY {Sql.Join(order.Select(o => $"{Sql.Id(o.Name)} {(o.Descending ? "DESC" : "ASC")} NULLS LAST"))}";
        }

        var (sql, parameters) = _parameters.Bind(rel);
        statements.Add(new AthenaStatement("unload", $"UNLOAD ({sql}) TO {Text(output)} WITH (format = 'PARQUET', compression = 'SNAPPY')", parameters));
        return new AthenaPlan(statements, cleanup, [.. schema.Keys]);
    }

    private (AthenaStatement Create, AthenaStatement Drop) AddInput(string name, string path)
    {
        var label = $"input '{name}'";
        var location = Location(path, label);
        int index = _inputs.Count;
        var table = InputTable.Open(engine, path, Path.Combine(work, "in-" + index), label, ct);
        var tableName = $"recon_{target.JobId}_{index}";
        var ddlName = $"`{target.Database}`.`{tableName}`";
        var dmlName = $"{Sql.Id(target.Database)}.{Sql.Id(tableName)}";
        var view = Sql.Id("input:" + name);
        var schema = new Dictionary<string, ValueType>(StringComparer.Ordinal);
        string ddl, rel;
        switch (table.Format)
        {
            case InputFormat.Csv:
            {
                // Every CSV column is text in the table (OpenCSVSerde), cast in the query as the embedded engine does:
                // columns by position, a number column to DECIMAL(38, its places), an empty field to null.
                var profiles = ColumnProfile.Measure(engine, table.From, table.Columns, screen: true);
                var columns = new List<string>();
                var select = new List<string>();
                var local = new List<string>();
                for (int c = 0; c < profiles.Count; c++)
                {
                    var p = profiles[c];
                    CheckName(p.Name);
                    var field = $"c{c + 1}";
                    columns.Add($"`{field}` string");
                    if (p.IsNumeric)
                    {
                        select.Add($"CAST(trim(NULLIF({Sql.Id(field)}, '')) AS DECIMAL(38,{p.Scale})) AS {Sql.Id(p.Name)}");
                        local.Add($"CAST({Sql.Id(p.Name)} AS DECIMAL(38,{p.Scale})) AS {Sql.Id(p.Name)}");
                        schema[p.Name] = ValueType.Decimal(p.Scale);
                    }
                    else
                    {
                        select.Add($"NULLIF({Sql.Id(field)}, '') AS {Sql.Id(p.Name)}");
                        local.Add(Sql.Id(p.Name));
                        schema[p.Name] = ValueType.Text;
                    }
                }

                ddl = $"CREATE EXTERNAL TABLE {ddlName} ({Sql.Join(columns)}) " +
                      "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' " +
                      "WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '\"') " +
                      $"STORED AS TEXTFILE LOCATION {Text(location)} TBLPROPERTIES ('skip.header.line.count' = '1')";
                rel = $"SELECT {Sql.Join(select)} FROM {dmlName}";
                engine.Execute($"CREATE TEMP VIEW {view} AS SELECT {Sql.Join(local)} FROM {table.From}");
                break;
            }

            case InputFormat.Parquet:
            {
                // Parquet carries its types; Athena matches its columns by name, in lower case.
                var parquet = $"read_parquet({Sql.TextList(table.Files)}, union_by_name = true)";
                var columns = new List<string>();
                var select = new List<string>();
                foreach (var (column, type) in Describe($"SELECT * FROM {parquet}", label))
                {
                    CheckName(column);
                    if (column.Contains('`', StringComparison.Ordinal))
                    {
                        throw JobErrors.AthenaColumnBacktick(label, column);
                    }

                    var hive = HiveType(type) ?? throw JobErrors.AthenaColumnTypeUnmapped(label, column, type);
                    columns.Add($"`{column.ToLowerInvariant()}` {hive}");
                    select.Add($"{Sql.Id(column.ToLowerInvariant())} AS {Sql.Id(column)}");
                    schema[column] = ValueType.FromEngine(type) with { EngineType = type };
                }

                ddl = $"CREATE EXTERNAL TABLE {ddlName} ({Sql.Join(columns)}) STORED AS PARQUET LOCATION {Text(location)}";
                rel = $"SELECT {Sql.Join(select)} FROM {dmlName}";
                engine.Execute($"CREATE TEMP VIEW {view} AS SELECT * FROM {parquet}");
                break;
            }

            default:
                throw JobErrors.AthenaInputFormat(label, table.Format);
        }

        CheckNames(schema.Keys, label);
        _inputs[name] = new Input(tableName, rel, view, schema);
        return (new AthenaStatement("table", ddl, []), new AthenaStatement("drop", $"DROP TABLE IF EXISTS {ddlName}", []));
    }

    private (string, Dictionary<string, ValueType>) Filter(JsonObject step, string rel, Dictionary<string, ValueType> schema, ref string? expression)
    {
        var (sql, type) = Expression(TransformCompiler.String(step, "where"), schema, ref expression);
        if (type.Kind is not (ValueKind.Bool or ValueKind.Null))
        {
            throw JobErrors.FilterNotCondition(type);
        }

        return ($"SELECT * FROM ({rel}) AS t WHERE {sql}", schema);
    }

    private (string, Dictionary<string, ValueType>) Derive(JsonObject step, string rel, Dictionary<string, ValueType> schema, ref string? expression)
    {
        var columns = step["columns"] as JsonObject ?? throw JobErrors.DeriveWithoutColumns();
        var current = new Dictionary<string, ValueType>(schema, StringComparer.Ordinal);
        foreach (var (name, value) in columns)
        {
            CheckName(name);
            var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw JobErrors.ColumnWithoutExpression(name);
            var (sql, type) = Expression(text, current, ref expression);
            rel = current.ContainsKey(name)
                ? $"SELECT {Sql.Join(current.Keys.Select(c => c == name ? $"{sql} AS {Sql.Id(c)}" : Sql.Id(c)))} FROM ({rel}) AS t"
                : $"SELECT *, {sql} AS {Sql.Id(name)} FROM ({rel}) AS t";
            current[name] = type;
            CheckNames(current.Keys);
        }

        expression = null;
        return (rel, current);
    }

    private (string, Dictionary<string, ValueType>) Lookup(JsonObject step, string rel, Dictionary<string, ValueType> schema)
    {
        var from = TransformCompiler.String(step, "from");
        if (!_inputs.TryGetValue(from, out var input))
        {
            throw JobErrors.LookupInputUnknown(from, _inputs.Keys);
        }

        var on = TransformCompiler.Pairs(step["on"], "on");
        var bring = TransformCompiler.Pairs(step["columns"], "columns");
        foreach (var (l, r) in on)
        {
            var lt = schema.TryGetValue(l, out var a) ? a : throw JobErrors.LookupKeyNotInRows(l, schema.Keys);
            var rt = input.Schema.TryGetValue(r, out var b) ? b : throw JobErrors.LookupKeyNotInInput(r, from, input.Schema.Keys);
            if (!(lt.IsNumber && rt.IsNumber) && lt.Kind != rt.Kind)
            {
                throw JobErrors.LookupKeyTypesDiffer(l, lt, from, r, rt);
            }
        }

        var result = new Dictionary<string, ValueType>(schema, StringComparer.Ordinal);
        foreach (var (newName, r) in bring)
        {
            CheckName(newName);
            result[newName] = !input.Schema.TryGetValue(r, out var t)
                ? throw JobErrors.LookupColumnNotInInput(r, from, input.Schema.Keys)
                : schema.ContainsKey(newName)
                    ? throw JobErrors.LookupColumnClash(newName, r)
                    : t;
        }

        var multiple = TransformCompiler.Text(step["multiple"]) ?? "error";
        switch (multiple)
        {
            case "error":
                // Checked now, on the embedded engine, with the query of the embedded dialect.
                var keyList = Sql.Join(on.Select(p => Sql.Id(p.Value)));
                long dups = engine.Scalar<long>($"SELECT count(*) FROM (SELECT {keyList} FROM {input.View} GROUP BY ALL HAVING count(*) > 1)");
                if (dups > 0)
                {
                    throw JobErrors.AthenaLookupDuplicateKeys(dups, from);
                }

                break;
            case "all":
                break;
            case "first":
                throw JobErrors.AthenaLookupFirst();
            default:
                throw JobErrors.LookupMultipleUnknown(multiple);
        }

        var rightSelect = Sql.Join(on.Select(p => $"{Sql.Id(p.Value)} AS {Sql.Id("__k:" + p.Key)}").Concat(bring.Select(p => $"{Sql.Id(p.Value)} AS {Sql.Id(p.Key)}")));
        var condition = Sql.Join(on.Select(p => $"l.{Sql.Id(p.Key)} = r.{Sql.Id("__k:" + p.Key)}"), " AND ");
        var brought = Sql.Join(bring.Select(p => $"r.{Sql.Id(p.Key)}"));
        return ($"SELECT l.*, {brought} FROM ({rel}) AS l LEFT JOIN (SELECT {rightSelect} FROM ({input.Rel}) AS i) AS r ON {condition}", result);
    }

    private (string, Dictionary<string, ValueType>) Pivot(JsonObject step, string rel, Dictionary<string, ValueType> schema)
    {
        var rows = TransformCompiler.Names(step["rows"], "rows");
        var column = TransformCompiler.String(step, "column");
        var values = TransformCompiler.String(step, "values");
        var aggregate = TransformCompiler.Text(step["aggregate"]) ?? "sum";
        foreach (var c in rows.Append(column).Append(values).Where(c => !schema.ContainsKey(c)))
        {
            throw JobErrors.PivotColumnUnknown(c, schema.Keys);
        }

        var pivotValues = step["column_values"] is { } given
            ? TransformCompiler.PivotValues(given)
            : throw JobErrors.AthenaPivotWithoutValues();
        if (pivotValues.Count > TransformCompiler.MaxPivotColumns)
        {
            throw JobErrors.AthenaPivotTooManyValues(TransformCompiler.MaxPivotColumns);
        }

        var result = new Dictionary<string, ValueType>(StringComparer.Ordinal);
        var select = new List<string>();
        foreach (var r in rows)
        {
            result[r] = schema[r];
            select.Add(Sql.Id(r));
        }

        foreach (var value in pivotValues)
        {
            var name = value ?? "null";
            CheckName(name);
            if (result.ContainsKey(name))
            {
                throw JobErrors.PivotValueClash(name, column);
            }

            // Conditional aggregation: one aggregate per value, over the rows whose column (as text) is that value.
            var match = value is null ? $"{Sql.Id(column)} IS NULL" : $"CAST({Sql.Id(column)} AS VARCHAR) = {_parameters.Add(value)}";
            var (sql, type) = ExprCompiler.AggregateOf(aggregate, $"(CASE WHEN {match} THEN {Sql.Id(values)} END)", schema[values], SqlDialect.Trino);
            select.Add($"{sql} AS {Sql.Id(name)}");
            result[name] = type;
        }

        var groupBy = rows.Count > 0 ? $" GROUP BY {Sql.Join(rows.Select(Sql.Id))}" : "";
        return ($"SELECT {Sql.Join(select)} FROM ({rel}) AS t{groupBy}", result);
    }

    private (string, Dictionary<string, ValueType>) Group(JsonObject step, string rel, Dictionary<string, ValueType> schema, ref string? expression)
    {
        var by = TransformCompiler.Names(step["by"], "by");
        foreach (var c in by.Where(c => !schema.ContainsKey(c)))
        {
            throw JobErrors.GroupByUnknown(c, schema.Keys);
        }

        var aggregates = step["aggregates"] as JsonObject ?? throw JobErrors.GroupWithoutAggregates();
        var keys = by.ToHashSet(StringComparer.Ordinal);
        var result = by.ToDictionary(c => c, c => schema[c], StringComparer.Ordinal);
        var select = by.Select(Sql.Id).ToList();
        foreach (var (name, value) in aggregates)
        {
            CheckName(name);
            var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : throw JobErrors.AggregateWithoutExpression(name);
            var (sql, type) = Expression(text, schema, ref expression, keys);
            select.Add($"{sql} AS {Sql.Id(name)}");
            result[name] = type;
        }

        expression = null;
        var groupBy = by.Count > 0 ? $" GROUP BY {Sql.Join(by.Select(Sql.Id))}" : "";
        return ($"SELECT {Sql.Join(select)} FROM ({rel}) AS t{groupBy}", result);
    }

    private static List<(string, bool)> Sort(JsonObject step, Dictionary<string, ValueType> schema)
    {
        var order = new List<(string, bool)>();
        foreach (var item in TransformCompiler.Names(step["by"], "by"))
        {
            bool descending = item.StartsWith('-');
            var name = descending ? item[1..] : item;
            order.Add(schema.ContainsKey(name) ? (name, descending) : throw JobErrors.SortByUnknown(name, schema.Keys));
        }

        return order;
    }

    /// <summary>A select; when it follows a sort, the sort's names follow its renames (the ORDER BY is applied last).</summary>
    private static (string, Dictionary<string, ValueType>) Select(JsonObject step, string rel, Dictionary<string, ValueType> schema, List<(string Name, bool Descending)>? order)
    {
        var columns = step["columns"] is null ? [.. schema.Keys] : TransformCompiler.Names(step["columns"], "columns");
        var rename = step["rename"] is null ? [] : TransformCompiler.Pairs(step["rename"], "rename");
        foreach (var c in columns.Concat(rename.Select(p => p.Key)).Where(c => !schema.ContainsKey(c)))
        {
            throw JobErrors.SelectUnknown(c, schema.Keys);
        }

        var names = rename.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var result = new Dictionary<string, ValueType>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            var output = names.GetValueOrDefault(c, c);
            CheckName(output);
            if (!result.TryAdd(output, schema[c]))
            {
                throw JobErrors.SelectNameTwice(output);
            }
        }

        if (order is not null)
        {
            for (int i = 0; i < order.Count; i++)
            {
                var (name, descending) = order[i];
                order[i] = columns.Contains(name, StringComparer.Ordinal)
                    ? (names.GetValueOrDefault(name, name), descending)
                    : throw JobErrors.AthenaSelectDropsSortColumn(name);
            }
        }

        return ($"SELECT {Sql.Join(columns.Select(c => names.TryGetValue(c, out var n) ? $"{Sql.Id(c)} AS {Sql.Id(n)}" : Sql.Id(c)))} FROM ({rel}) AS t", result);
    }

    private (string Sql, ValueType Type) Expression(string text, IReadOnlyDictionary<string, ValueType> schema, ref string? expression, IReadOnlySet<string>? groupKeys = null)
    {
        expression = text;
        return new ExprCompiler(schema, _parameters, groupKeys).Compile(ExprParser.Parse(text));
    }

    private IReadOnlyList<(string Name, string Type)> Describe(string sql, string label)
    {
        try
        {
            return engine.Describe(sql);
        }
        catch (DuckDBException e)
        {
            throw JobEngine.Fail(label, e);
        }
    }

    /// <summary>A location as Athena needs it: an S3 folder of safe characters (or, for the local runner, an absolute path).</summary>
    private string Location(string path, string label)
    {
        if (path.Any(c => c is '\'' or '\\' or '`' || char.IsControl(c)))
        {
            throw JobErrors.AthenaLocationUnsafe(label, path);
        }

        if (S3Folder().IsMatch(path))
        {
            return path;
        }

        if (target.RequireS3)
        {
            throw JobErrors.AthenaLocationNotS3(label, path);
        }

        return Path.IsPathRooted(path) ? path : throw JobErrors.AthenaLocationNotAbsolute(label, path);
    }

    /// <summary>A name Recon writes as a Trino identifier: no control characters (the SQL's parameter markers are made of them).</summary>
    private static void CheckName(string name)
    {
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            throw JobErrors.AthenaColumnNameInvalid(name);
        }
    }

    /// <summary>Trino folds names to lower case: two that differ only by case would be one column.</summary>
    private static void CheckNames(IEnumerable<string> names, string? label = null)
    {
        var clash = names.GroupBy(n => n.ToLowerInvariant(), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            throw JobErrors.AthenaNamesDifferByCase(label, clash);
        }
    }

    private static string? HiveType(string duckType)
    {
        var t = ValueType.FromEngine(duckType);
        return duckType switch
        {
            _ when t.Kind == ValueKind.Decimal && duckType.StartsWith("DECIMAL", StringComparison.Ordinal) => $"decimal({t.Precision},{t.Scale})",
            "TINYINT" => "tinyint",
            "SMALLINT" => "smallint",
            "INTEGER" => "int",
            "BIGINT" => "bigint",
            "FLOAT" => "float",
            "DOUBLE" => "double",
            "VARCHAR" => "string",
            "BOOLEAN" => "boolean",
            "DATE" => "date",
            "TIMESTAMP" => "timestamp",
            _ => null,
        };
    }

    private static string Text(string value) => "'" + value + "'";

    [GeneratedRegex("^[a-z0-9_]{1,40}$")]
    private static partial Regex JobIdPattern();

    [GeneratedRegex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([A-Za-z0-9!_.*()=-]+/)*$")]
    private static partial Regex S3Folder();
}
