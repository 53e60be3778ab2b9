using System.Globalization;
using System.Text.Json;
using Recon.Jobs.Engine;

namespace Recon.Jobs.Compare;

/// <summary>
/// Compares one hash partition of both sides: a full outer join on the key in the engine, exact decimal differences
/// against each column's tolerance, the differing and one-sided rows written as JSON lines.
/// </summary>
internal static class PartitionComparer
{
    public static PartitionResult Compare(ComparePlan plan, int partition, JobEngineOptions engineOptions)
    {
        if (partition < 0 || partition >= plan.Partitions)
        {
            throw JobErrors.PartitionOutOfRange(partition, plan.Partitions, plan.Work);
        }

        using var engine = new JobEngine(engineOptions, plan.Work);
        var keys = plan.Keys;
        var cols = plan.Columns;
        string Side(string side)
        {
            var glob = plan.PartitionGlob(side, partition);
            var names = keys.Concat(cols.Select(c => c.Name)).Select(Sql.Id).ToList();
            if (plan.FirstOrdinal)
            {
                names.Add("__ord");
            }

            if (glob.Length == 0)
            {
                var empty = keys.Concat(cols.Select(c => c.Name)).Select(c => $"CAST(NULL AS VARCHAR) AS {Sql.Id(c)}").ToList();
                if (plan.FirstOrdinal)
                {
                    empty.Add("CAST(NULL AS BIGINT) AS __ord");
                }

                return $"(SELECT {Sql.Join(empty)} LIMIT 0)";
            }

            return $"(SELECT {Sql.Join(names)} FROM read_parquet({Sql.Text(glob)}, hive_partitioning = false))";
        }

        var keyList = Sql.Join(keys.Select(Sql.Id));
        engine.Execute($"CREATE TEMP TABLE s AS SELECT * FROM {Side("source")}");
        engine.Execute($"CREATE TEMP TABLE t AS SELECT * FROM {Side("target")}");

        var samples = new List<string>();
        long Duplicates(string table, string label)
        {
            long n = engine.Scalar<long>($"SELECT count(*) FROM (SELECT {keyList} FROM {table} GROUP BY ALL HAVING count(*) > 1)");
            if (n > 0)
            {
                using var r = engine.Reader(
                    $"SELECT concat_ws('|', {Sql.Join(keys.Select(k => $"coalesce({Sql.Id(k)}, '<null>')"))}), count(*) FROM {table} GROUP BY {keyList} HAVING count(*) > 1 ORDER BY 1 LIMIT 5");
                while (r.Read())
                {
                    samples.Add($"{label}: {r.GetString(0)} ({r.GetValue(1)} rows)");
                }
            }

            return n;
        }

        long dupSource = Duplicates("s", "source");
        long dupTarget = Duplicates("t", "target");
        if ((dupSource > 0 || dupTarget > 0) && plan.Spec.Duplicates == "error")
        {
            return Save(plan, partition, new PartitionResult
            {
                Partition = partition, DuplicateKeysSource = dupSource, DuplicateKeysTarget = dupTarget, DuplicateSamples = samples, Compared = false,
            });
        }

        string Deduplicated(string table, long duplicates)
        {
            if (duplicates == 0)
            {
                return table;
            }

            if (plan.Spec.Duplicates == "first")
            {
                return $"(SELECT * FROM {table} QUALIFY row_number() OVER (PARTITION BY {keyList} ORDER BY __ord) = 1)";
            }

            // aggregate: numeric columns summed exactly; text columns keep their smallest value.
            var aggregates = cols.Select(c => c.Numeric
                ? $"CAST(sum(CAST({Sql.Id(c.Name)} AS DECIMAL({c.Precision},{c.Scale}))) AS VARCHAR) AS {Sql.Id(c.Name)}"
                : $"min({Sql.Id(c.Name)}) AS {Sql.Id(c.Name)}");
            return $"(SELECT {keyList}{(cols.Count > 0 ? ", " : "")}{Sql.Join(aggregates)} FROM {table} GROUP BY {keyList})";
        }

        var select = new List<string>();
        for (int i = 0; i < keys.Count; i++)
        {
            select.Add($"coalesce(s.{Sql.Id(keys[i])}, t.{Sql.Id(keys[i])}) AS k{i}");
        }

        select.Add("CASE WHEN s.__in IS NULL THEN 'target_only' WHEN t.__in IS NULL THEN 'source_only' ELSE 'both' END AS side");
        for (int i = 0; i < cols.Count; i++)
        {
            var c = cols[i];
            var sv = $"s.{Sql.Id(c.Name)}";
            var tv = $"t.{Sql.Id(c.Name)}";
            select.Add($"{sv} AS s{i}");
            select.Add($"{tv} AS t{i}");
            if (c.Numeric)
            {
                // The engine's cast skips surrounding whitespace; a 38-digit cast only when the values need it.
                var sd = $"CAST({sv} AS DECIMAL({c.Precision},{c.Scale}))";
                var td = $"CAST({tv} AS DECIMAL({c.Precision},{c.Scale}))";
                var allowed = Sql.Decimal(c.Abs) + (c.Rel > 0 ? $" + {Sql.Decimal(c.Rel)} * abs({td})" : "");
                select.Add($"{sd} - {td} AS d{i}");
                select.Add($"NOT (({sd} IS NULL AND {td} IS NULL) OR ({sd} IS NOT NULL AND {td} IS NOT NULL AND abs({sd} - {td}) <= {allowed})) AS x{i}");
            }
            else
            {
                select.Add($"CAST(NULL AS VARCHAR) AS d{i}");
                select.Add($"({sv} IS DISTINCT FROM {tv}) AS x{i}");
            }
        }

        var on = Sql.Join(keys.Select(k => $"s.{Sql.Id(k)} IS NOT DISTINCT FROM t.{Sql.Id(k)}"), " AND ");
        engine.Execute(
            $"CREATE TEMP TABLE cmp AS SELECT {Sql.Join(select)} FROM (SELECT *, true AS __in FROM {Deduplicated("s", dupSource)}) s " +
            $"FULL OUTER JOIN (SELECT *, true AS __in FROM {Deduplicated("t", dupTarget)}) t ON {on}");
        engine.Execute("DROP TABLE s");
        engine.Execute("DROP TABLE t");

        var anyDiffers = cols.Count == 0 ? "false" : Sql.Join(Enumerable.Range(0, cols.Count).Select(i => $"x{i}"), " OR ");
        var aggregates = new List<string>
        {
            "count(*) FILTER (WHERE side = 'both')",
            "count(*) FILTER (WHERE side = 'source_only')",
            "count(*) FILTER (WHERE side = 'target_only')",
            $"count(*) FILTER (WHERE side = 'both' AND ({anyDiffers}))",
        };
        for (int i = 0; i < cols.Count; i++)
        {
            aggregates.Add($"count(*) FILTER (WHERE side = 'both' AND x{i})");
            aggregates.Add(cols[i].Numeric ? $"CAST(max(abs(d{i})) FILTER (WHERE side = 'both') AS VARCHAR)" : "CAST(NULL AS VARCHAR)");
        }

        var mismatches = new long[cols.Count];
        var maxAbs = new string?[cols.Count];
        PartitionResult result;
        using (var r = engine.Reader($"SELECT {Sql.Join(aggregates)} FROM cmp"))
        {
            r.Read();
            for (int i = 0; i < cols.Count; i++)
            {
                mismatches[i] = Convert.ToInt64(r.GetValue(4 + 2 * i), CultureInfo.InvariantCulture);
                maxAbs[i] = r.IsDBNull(5 + 2 * i) ? null : r.GetString(5 + 2 * i);
            }

            result = new PartitionResult
            {
                Partition = partition,
                MatchedRows = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
                OnlyInSource = Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture),
                OnlyInTarget = Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture),
                WithDifferences = Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture),
                DuplicateKeysSource = dupSource,
                DuplicateKeysTarget = dupTarget,
                DuplicateSamples = samples,
                Mismatches = mismatches,
                MaxAbsDiff = maxAbs,
                Compared = true,
            };
        }

        WriteMismatches(engine, plan, partition, anyDiffers);
        return Save(plan, partition, result);
    }

    private static PartitionResult Save(ComparePlan plan, int partition, PartitionResult result)
    {
        result.Save(plan.ResultFile(partition));
        return result;
    }

    private static void WriteMismatches(JobEngine engine, ComparePlan plan, int partition, string anyDiffers)
    {
        var path = plan.MismatchFile(partition);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var keys = plan.Keys;
        var cols = plan.Columns;
        var order = Sql.Join(Enumerable.Range(0, keys.Count).Select(i => $"k{i}"));
        var projection = new List<string>(Enumerable.Range(0, keys.Count).Select(i => $"k{i}")) { "side" };
        for (int i = 0; i < cols.Count; i++)
        {
            projection.Add($"s{i}");
            projection.Add($"t{i}");
            projection.Add($"CAST(d{i} AS VARCHAR)");
            projection.Add($"x{i}");
        }

        using var file = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using (var w = new Utf8JsonWriter(file, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        using (var r = engine.Reader($"SELECT {Sql.Join(projection)} FROM cmp WHERE side <> 'both' OR {anyDiffers} ORDER BY {order}, side"))
        {
            string? Text(int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
            while (r.Read())
            {
                w.WriteStartObject();
                w.WriteStartObject("key");
                for (int i = 0; i < keys.Count; i++)
                {
                    w.WriteString(keys[i], Text(i));
                }

                w.WriteEndObject();
                var side = r.GetString(keys.Count);
                w.WriteString("side", side);
                int baseOrdinal = keys.Count + 1;
                if (side == "both")
                {
                    w.WriteStartObject("columns");
                    for (int i = 0; i < cols.Count; i++)
                    {
                        int o = baseOrdinal + 4 * i;
                        if (!r.GetBoolean(o + 3))
                        {
                            continue;
                        }

                        w.WriteStartObject(cols[i].Name);
                        w.WriteString("source", Text(o));
                        w.WriteString("target", Text(o + 1));
                        if (cols[i].Numeric)
                        {
                            w.WriteString("difference", Text(o + 2));
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                }
                else
                {
                    w.WriteStartObject("values");
                    for (int i = 0; i < cols.Count; i++)
                    {
                        w.WriteString(cols[i].Name, Text(baseOrdinal + 4 * i + (side == "source_only" ? 0 : 1)));
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.Flush();
                file.WriteByte((byte)'\n');
                w.Reset();
            }
        }

        file.Dispose();
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
