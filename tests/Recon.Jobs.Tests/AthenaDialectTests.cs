using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Text;
using Recon.Core;
using Recon.Jobs.Engine;
using Recon.Jobs.Transform;
using Recon.Jobs.Workflows;
using Recon.Orchestration.Jobs;
using Recon.Testing;

namespace Recon.Jobs.Tests;

/// <summary>
/// The Athena (Trino) dialect of the transform compiler, checked as SQL text (there is no Athena here): every name
/// quoted, every value a ? placeholder whose literal is in ExecutionParameters, the refusals; and
/// workflows/transform.asl.json run by the local runner, whose Athena stand-in runs the job on the embedded engine.
/// </summary>
public sealed partial class AthenaDialectTests : IDisposable
{
    private static readonly JobEngineOptions Engine = new() { MemoryLimit = "256MB", Threads = 1 };
    private readonly TempFolder _dir = new();

    public AthenaDialectTests()
    {
        var csv = new StringBuilder("id,entity,currency,amount,qty,status\n");
        string[] entities = ["ACME", "Globex"];
        string[] currencies = ["EUR", "USD", "GBP"];
        for (int i = 0; i < 30; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"O{i:D2},{entities[i % 2]},{currencies[i % 3]},{10m + i * 3.35m - (i % 4 == 0 ? 50m : 0m)},{1 + i % 5},{(i % 3 == 1 ? "open" : "closed")}\n");
        }

        File.WriteAllText(_dir.File("orders.csv"), csv.ToString());
        File.WriteAllText(_dir.File("rates.csv"), "ccy,rate\nEUR,1.0850\nUSD,1\n");
    }

    public void Dispose() => _dir.Dispose();

    private TransformSpec Spec(string steps, string output = "out.parquet", string? inputs = null) =>
        TransformSpec.Parse(
            $"{{\"inputs\": {{{inputs ?? "\"orders\": \"orders.csv\", \"rates\": \"rates.csv\""}}}, \"from\": \"orders\", \"steps\": [{steps}], \"output\": {{\"path\": \"{output}\"}}}}",
            _dir.Path);

    private AthenaPlan Compile(string steps, string output = "out.parquet", string? inputs = null, bool requireS3 = false) =>
        TransformJob.CompileForAthena(Spec(steps, output, inputs), new AthenaTarget { JobId = "job1", RequireS3 = requireS3 }, _dir.File("work"), Engine, CancellationToken.None);

    private static AthenaStatement Unload(AthenaPlan plan) => Assert.Single(plan.Statements, s => s.Role == "unload");

    /// <summary>The test's own reading of SQL text: the ?s and the single-quoted literals outside quoted identifiers.</summary>
    private static (int Placeholders, List<string> Literals, List<string> Identifiers) Scan(string sql)
    {
        int placeholders = 0;
        var literals = new List<string>();
        var identifiers = new List<string>();
        for (int i = 0; i < sql.Length; i++)
        {
            char c = sql[i];
            if (c is '\'' or '"')
            {
                var text = new StringBuilder();
                for (i++; ; i++)
                {
                    Assert.True(i < sql.Length, $"unterminated {c} in: {sql}");
                    if (sql[i] == c)
                    {
                        if (i + 1 < sql.Length && sql[i + 1] == c)
                        {
                            text.Append(c);
                            i++;
                            continue;
                        }

                        break;
                    }

                    text.Append(sql[i]);
                }

                (c == '\'' ? literals : identifiers).Add(text.ToString());
            }
            else if (c == '?')
            {
                placeholders++;
            }
        }

        return (placeholders, literals, identifiers);
    }

    /// <summary>Every parameter is one SQL string literal (Athena parses each as an expression: nothing else may fit).</summary>
    private static List<string> Values(AthenaStatement statement) => statement.Parameters.Select(p =>
    {
        Assert.Matches(SingleLiteral(), p);
        return p[1..^1].Replace("''", "'", StringComparison.Ordinal);
    }).ToList();

    private void AssertBoundAndQuoted(AthenaStatement unload, params string[] values) => AssertBoundAndQuoted(unload, true, values);

    /// <summary><paramref name="absent"/>: the values appear nowhere in the text (false when they also name pivot columns).</summary>
    private void AssertBoundAndQuoted(AthenaStatement unload, bool absent, params string[] values)
    {
        var (placeholders, literals, _) = Scan(unload.Sql);
        Assert.Equal(placeholders, unload.Parameters.Count);
        // The only literals in the text are Recon's own: the empty field, the output folder, the format.
        Assert.All(literals, l => Assert.Contains(l, new[] { "", "PARQUET", "SNAPPY", _dir.File("out.parquet") }));
        var bound = Values(unload);
        foreach (var value in values)
        {
            Assert.Contains(value, bound);
            Assert.DoesNotContain(value, literals);
            if (absent)
            {
                Assert.DoesNotContain(value, unload.Sql, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Compile_Inputs_AreExternalTablesOfTextColumnsCastInTheQueryAndDroppedAfterwards()
    {
        var plan = Compile("");
        Assert.Equal(["table", "table", "unload"], plan.Statements.Select(s => s.Role));
        var orders = plan.Statements[0];
        Assert.Empty(orders.Parameters);
        Assert.StartsWith("CREATE EXTERNAL TABLE `recon_jobs`.`recon_job1_0` (`c1` string, `c2` string, `c3` string, `c4` string, `c5` string, `c6` string) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'", orders.Sql, StringComparison.Ordinal);
        Assert.EndsWith($"STORED AS TEXTFILE LOCATION '{_dir.File("orders.csv")}' TBLPROPERTIES ('skip.header.line.count' = '1')", orders.Sql, StringComparison.Ordinal);
        Assert.Equal(["DROP TABLE IF EXISTS `recon_jobs`.`recon_job1_0`", "DROP TABLE IF EXISTS `recon_jobs`.`recon_job1_1`"], plan.Cleanup.Select(s => s.Sql));

        // amount has 2 places in the file, qty none: exact decimals by the profile, as on the embedded engine.
        var unload = Unload(plan);
        Assert.Contains("CAST(trim(NULLIF(\"c4\", '')) AS DECIMAL(38,2)) AS \"amount\"", unload.Sql, StringComparison.Ordinal);
        Assert.Contains("CAST(trim(NULLIF(\"c5\", '')) AS DECIMAL(38,0)) AS \"qty\"", unload.Sql, StringComparison.Ordinal);
        Assert.Contains("NULLIF(\"c6\", '') AS \"status\" FROM \"recon_jobs\".\"recon_job1_0\"", unload.Sql, StringComparison.Ordinal);
        Assert.Equal($"UNLOAD (SELECT ", unload.Sql[..15]);
        Assert.EndsWith($") TO '{_dir.File("out.parquet")}' WITH (format = 'PARQUET', compression = 'SNAPPY')", unload.Sql, StringComparison.Ordinal);
        Assert.Equal(["id", "entity", "currency", "amount", "qty", "status"], plan.Columns);
    }

    [Fact]
    public void Compile_FilterAndDerive_BindEveryValueInTextOrderAndDivideInTrinoDecimals()
    {
        var unload = Unload(Compile(
            "{\"op\": \"derive\", \"columns\": {\"label\": \"concat(entity, '-marker-one-', status)\", \"per_unit\": \"amount / qty\", \"r\": \"round(amount * 1.005, 1)\"}}," +
            "{\"op\": \"filter\", \"where\": \"status = 'open-marker-two' or amount > 12.125\"}"));
        AssertBoundAndQuoted(unload, "-marker-one-", "open-marker-two", "12.125", "1.005");
        // Parameters go in text order, not in the order the compiler met them: each derived column wraps the one before
        // (SELECT *, r FROM (SELECT *, per_unit FROM (SELECT *, label …))), and the filter's WHERE follows its subquery.
        Assert.Equal(["1.005", "-marker-one-", "open-marker-two", "12.125"], Values(unload).Distinct());
        Assert.Contains("CAST(? AS DECIMAL(5,3))", unload.Sql, StringComparison.Ordinal);
        // Trino divides DECIMALs at the larger scale, rounding half away from zero: the dividend is cast to Recon's 6 places.
        Assert.Contains("(CASE WHEN (\"qty\") = 0 THEN NULL ELSE CAST(\"amount\" AS DECIMAL(38,6)) / (\"qty\") END) AS \"per_unit\"", unload.Sql, StringComparison.Ordinal);
        // round keeps the operand's scale in Trino: cast to the places asked for.
        Assert.Contains("CAST(round((\"amount\" * CAST(? AS DECIMAL(4,3))), 1) AS DECIMAL(38,1)) AS \"r\"", unload.Sql, StringComparison.Ordinal);
        // concat reads a null as empty text, as on the embedded engine (Trino's concat would be null).
        Assert.Contains("concat(coalesce(CAST(\"entity\" AS VARCHAR), ''), coalesce(CAST(CAST(? AS VARCHAR) AS VARCHAR), ''), coalesce(CAST(\"status\" AS VARCHAR), ''))", unload.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_LookupPivotGroupSortSelect_AreJoinsConditionalAggregatesAndAFinalOrder()
    {
        var unload = Unload(Compile(
            "{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": {\"fx\": \"rate\"}}," +
            "{\"op\": \"pivot\", \"rows\": [\"entity\"], \"column\": \"currency\", \"values\": \"amount\", \"aggregate\": \"sum\", \"column_values\": [\"EUR\", \"USD\", \"GBP\", null]}," +
            "{\"op\": \"group\", \"by\": [\"entity\"], \"aggregates\": {\"eur\": \"sum(EUR)\", \"mean\": \"avg(USD)\", \"n\": \"count()\"}}," +
            "{\"op\": \"sort\", \"by\": [\"-eur\", \"entity\"]}," +
            "{\"op\": \"select\", \"columns\": [\"entity\", \"eur\", \"n\"], \"rename\": {\"eur\": \"total_eur\"}}"));
        // The values are bound; the same words name the pivot's output columns (quoted identifiers).
        AssertBoundAndQuoted(unload, false, "EUR", "USD", "GBP");
        Assert.Equal(3, Values(unload).Count);
        Assert.Contains("LEFT JOIN (SELECT \"ccy\" AS \"__k:currency\", \"rate\" AS \"fx\" FROM (SELECT NULLIF(\"c1\", '') AS \"ccy\", CAST(trim(NULLIF(\"c2\", '')) AS DECIMAL(38,4)) AS \"rate\" FROM \"recon_jobs\".\"recon_job1_1\") AS i) AS r ON l.\"currency\" = r.\"__k:currency\"", unload.Sql, StringComparison.Ordinal);
        // No PIVOT in Trino: one conditional aggregate per listed value, a null value by IS NULL.
        Assert.Contains("sum((CASE WHEN CAST(\"currency\" AS VARCHAR) = ? THEN \"amount\" END)) AS \"EUR\"", unload.Sql, StringComparison.Ordinal);
        Assert.Contains("sum((CASE WHEN \"currency\" IS NULL THEN \"amount\" END)) AS \"null\"", unload.Sql, StringComparison.Ordinal);
        Assert.Contains("GROUP BY \"entity\"", unload.Sql, StringComparison.Ordinal);
        Assert.Contains("(CASE WHEN (count(\"USD\")) = 0 THEN NULL ELSE CAST(sum(\"USD\") AS DECIMAL(38,6)) / (count(\"USD\")) END) AS \"mean\"", unload.Sql, StringComparison.Ordinal);
        // Trino drops a subquery's order: the sort is applied last, under the select's new name.
        Assert.Contains("SELECT \"entity\", \"eur\" AS \"total_eur\", \"n\" FROM (", unload.Sql, StringComparison.Ordinal);
        Assert.EndsWith($") AS t ORDER BY \"total_eur\" DESC NULLS LAST, \"entity\" ASC NULLS LAST) TO '{_dir.File("out.parquet")}' WITH (format = 'PARQUET', compression = 'SNAPPY')", unload.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_InjectionAttempts_AreBoundLiteralsOrQuotedNamesOrRefused()
    {
        // A value that closes its quote and runs a statement is one literal, its quotes doubled.
        var unload = Unload(Compile("{\"op\": \"filter\", \"where\": \"status = 'x''; DROP TABLE t; --'\"}"));
        AssertBoundAndQuoted(unload, "x'; DROP TABLE t; --");
        Assert.Equal("'x''; DROP TABLE t; --'", Assert.Single(unload.Parameters));

        // A new column may be called anything: it is a quoted identifier, its quotes doubled.
        var named = Unload(Compile("{\"op\": \"derive\", \"columns\": {\"a\\\"; DROP TABLE x; --\": \"qty + 1\"}}"));
        Assert.Contains("a\"; DROP TABLE x; --", Scan(named.Sql).Identifiers);
        Assert.Contains("AS \"a\"\"; DROP TABLE x; --\"", named.Sql, StringComparison.Ordinal);

        // Nothing Recon cannot quote safely reaches the text: locations with quotes, control characters in names.
        var location = Assert.Throws<ReconException>(() => Compile("", output: "o'; DROP TABLE t; --/out.parquet"));
        Assert.Contains("holds a quote, backslash, backtick or control character", location.Message, StringComparison.Ordinal);
        var control = Assert.Throws<ReconException>(() => Compile("{\"op\": \"derive\", \"columns\": {\"a\\u0001b\": \"qty\"}}"));
        Assert.Contains("control character", control.Message, StringComparison.Ordinal);
        // On AWS every location is an S3 folder of safe characters.
        var s3 = Assert.Throws<ReconException>(() => Compile("", output: "s3://bucket/out.parquet", requireS3: true));
        Assert.Contains("must be an S3 folder for Athena (s3://bucket/prefix/", s3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_WhatAthenaCannotDoAsTheEmbeddedEngineDoes_IsRefusedWithTheReason()
    {
        string Refusal(string steps, string output = "out.parquet") => Assert.Throws<ReconException>(() => Compile(steps, output)).Message;

        Assert.Contains("\"multiple\": \"first\" (the first row in file order) cannot run on Athena",
            Refusal("{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": [\"rate\"], \"multiple\": \"first\"}"), StringComparison.Ordinal);
        Assert.StartsWith("step 1 (pivot): on Athena a pivot needs \"column_values\"",
            Refusal("{\"op\": \"pivot\", \"rows\": [\"entity\"], \"column\": \"currency\", \"values\": \"amount\"}"), StringComparison.Ordinal);
        Assert.StartsWith("step 2 (filter): on Athena a sort must come last",
            Refusal("{\"op\": \"sort\", \"by\": [\"amount\"]}, {\"op\": \"filter\", \"where\": \"qty > 1\"}"), StringComparison.Ordinal);
        Assert.Contains("UNLOAD writes CSV without a header row", Refusal("", output: "out.csv"), StringComparison.Ordinal);
        Assert.Contains("differ only by case, which Athena (Trino) folds",
            Refusal("{\"op\": \"derive\", \"columns\": {\"Amount\": \"amount * 2\"}}"), StringComparison.Ordinal);
        // Errors still name the step and the expression, as on the embedded engine.
        Assert.Equal("step 1 (derive): '+' needs a number, not text (expression: amount + status)",
            Refusal("{\"op\": \"derive\", \"columns\": {\"x\": \"amount + status\"}}"));

        File.WriteAllText(_dir.File("rates_dup.csv"), "ccy,rate\nEUR,1.0850\nEUR,2\n");
        Assert.Contains("1 key(s) match several rows of 'rates'", Assert.Throws<ReconException>(() => Compile(
            "{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": [\"rate\"]}",
            inputs: "\"orders\": \"orders.csv\", \"rates\": \"rates_dup.csv\"")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_StepFieldOfTheWrongJsonType_IsRefusedAsOnTheEmbeddedEngine()
    {
        string Refusal(string steps) => Assert.Throws<ReconException>(() => Compile(steps)).Message;

        Assert.Equal("step 1 (lookup): \"multiple\": '1' is not error, first or all",
            Refusal("{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": [\"rate\"], \"multiple\": 1}"));
        Assert.Equal("step 1 (pivot): aggregate '2' is not one of sum, min, max, count, avg",
            Refusal("{\"op\": \"pivot\", \"rows\": [\"entity\"], \"column\": \"currency\", \"values\": \"amount\", \"aggregate\": 2, \"column_values\": [\"EUR\"]}"));
        Assert.Equal("step 1 (group): aggregate 'total' needs an expression",
            Refusal("{\"op\": \"group\", \"by\": [\"entity\"], \"aggregates\": {\"total\": 1}}"));

        // A location Athena cannot read names the location and what to give instead.
        var s3 = Assert.Throws<ReconException>(() => Compile("", output: "/tmp/out.parquet", requireS3: true));
        Assert.Equal("/tmp/out.parquet", s3.File);
        Assert.Equal("Give the output as an S3 folder: s3://bucket/prefix/, ending in '/'.", s3.Action);
    }

    [Fact]
    public void Compile_WithoutDivisionOrRound_TheUnloadQueryGivesTheEmbeddedDialectsRows()
    {
        // Honest only where both engines mean the same: casts, a left join, CASE, sum/count, GROUP BY. The query runs on
        // DuckDB over tables of text columns standing in for the external tables, its ? bound to the literals' values.
        const string steps =
            "{\"op\": \"filter\", \"where\": \"status != 'closed' or amount >= 20.5\"}," +
            "{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": {\"fx\": \"rate\"}, \"multiple\": \"all\"}," +
            "{\"op\": \"derive\", \"columns\": {\"eur\": \"amount * coalesce(fx, 1)\"}}," +
            "{\"op\": \"pivot\", \"rows\": [\"entity\"], \"column\": \"currency\", \"values\": \"eur\", \"aggregate\": \"sum\", \"column_values\": [\"EUR\", \"GBP\", \"USD\"]}," +
            "{\"op\": \"select\", \"columns\": [\"entity\", \"EUR\", \"GBP\", \"USD\"], \"rename\": {\"USD\": \"usd\"}}";
        var plan = Compile(steps);
        var unload = Unload(plan);
        var select = unload.Sql["UNLOAD (".Length..unload.Sql.LastIndexOf(") TO '", StringComparison.Ordinal)];

        var embedded = TransformJob.Run(Spec(steps, "embedded.parquet"), _dir.File("work"), Engine, TimeProvider.System, CancellationToken.None);
        using var engine = new JobEngine(Engine, _dir.Path);
        engine.Execute("CREATE SCHEMA recon_jobs");
        string[][] columns = [["c1", "c2", "c3", "c4", "c5", "c6"], ["c1", "c2"]];
        foreach (var (file, i) in new[] { "orders.csv", "rates.csv" }.Select((f, i) => (f, i)))
        {
            var names = string.Join(", ", columns[i].Select(c => $"{c} VARCHAR"));
            engine.Execute($"CREATE TABLE recon_jobs.recon_job1_{i} ({names})");
            engine.Execute($"INSERT INTO recon_jobs.recon_job1_{i} SELECT * FROM read_csv('{_dir.File(file)}', header = true, all_varchar = true)");
        }

        string Rows(string query, object?[] parameters)
        {
            using var r = engine.Reader($"SELECT * FROM ({query}) ORDER BY 1", parameters);
            var text = new StringBuilder();
            while (r.Read())
            {
                for (int c = 0; c < r.FieldCount; c++)
                {
                    text.Append(r.IsDBNull(c) ? "∅" : Convert.ToString(r.GetValue(c), CultureInfo.InvariantCulture)).Append('|');
                }

                text.Append('\n');
            }

            return text.ToString();
        }

        var athena = Rows(select, [.. Values(unload)]);
        var expected = Rows($"SELECT * FROM read_parquet('{embedded.OutputPath}')", []);
        Assert.Equal(expected, athena);
        Assert.Equal(2, athena.Count(c => c == '\n'));
    }

    [Fact]
    public async Task RunWorkflowAsync_TransformDefinitionInTheLocalRunner_WritesWhatTransformJobWrites()
    {
        const string steps =
            "{\"op\": \"lookup\", \"from\": \"rates\", \"on\": {\"currency\": \"ccy\"}, \"columns\": {\"fx\": \"rate\"}}," +
            "{\"op\": \"derive\", \"columns\": {\"eur\": \"round(amount * coalesce(fx, 1), 2)\", \"per_unit\": \"amount / qty\"}}," +
            "{\"op\": \"group\", \"by\": [\"entity\", \"currency\"], \"aggregates\": {\"total\": \"sum(eur)\", \"mean\": \"avg(per_unit)\", \"n\": \"count()\"}}," +
            "{\"op\": \"sort\", \"by\": [\"entity\", \"-total\"]}";
        var direct = TransformJob.Run(Spec(steps, "direct.parquet"), _dir.File("work"), Engine, TimeProvider.System, CancellationToken.None);
        var specFile = _dir.File("spec.json");
        File.WriteAllText(specFile, $"{{\"inputs\": {{\"orders\": \"orders.csv\", \"rates\": \"rates.csv\"}}, \"steps\": [{steps}], \"output\": {{\"path\": \"workflow.parquet\"}}}}");

        var result = await TransformWorkflow.RunAsync(specFile, _dir.File("work"), Engine, TimeProvider.System, null, CancellationToken.None);

        Assert.Equal("succeeded", result["status"]!.GetValue<string>());
        Assert.Equal(_dir.File("workflow.parquet"), result["output"]!.GetValue<string>());
        Assert.Equal(["entity", "currency", "total", "mean", "n"], result["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        using var engine = new JobEngine(Engine, _dir.Path);
        long differing = engine.Scalar<long>(
            $"SELECT count(*) FROM ((SELECT * FROM read_parquet('{direct.OutputPath}') EXCEPT ALL SELECT * FROM read_parquet('{_dir.File("workflow.parquet")}')) UNION ALL (SELECT * FROM read_parquet('{_dir.File("workflow.parquet")}') EXCEPT ALL SELECT * FROM read_parquet('{direct.OutputPath}')))");
        Assert.Equal(0, differing);
        Assert.Equal(direct.Rows, engine.Scalar<long>($"SELECT count(*) FROM read_parquet('{_dir.File("workflow.parquet")}')"));
        Assert.Equal(6, direct.Rows);
    }

    [Fact]
    public async Task RunWorkflowAsync_AJobThatCannotCompile_FailsWithTheReason()
    {
        var specFile = _dir.File("bad.json");
        File.WriteAllText(specFile, "{\"inputs\": {\"orders\": \"orders.csv\"}, \"steps\": [{\"op\": \"derive\", \"columns\": {\"x\": \"amout * 2\"}}], \"output\": {\"path\": \"bad.parquet\"}}");

        var error = await Assert.ThrowsAsync<ReconException>(() => TransformWorkflow.RunAsync(specFile, _dir.File("work"), Engine, TimeProvider.System, null, CancellationToken.None));

        Assert.Contains("step 1 (derive): unknown column 'amout'", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.File("bad.parquet")));
    }

    [Fact]
    public void S3Output_ForAthenaOrTheEmbeddedEngine_IsKeptAsGivenOrRefusedWithTheReason()
    {
        var spec = Spec("{\"op\": \"filter\", \"where\": \"status = 'open'\"}", output: "s3://reports-bucket/out/open/");
        Assert.Equal("s3://reports-bucket/out/open/", spec.OutputPath);
        var plan = TransformJob.CompileForAthena(spec with { OutputFormat = "parquet" }, new AthenaTarget { JobId = "job1", RequireS3 = false }, _dir.File("work"), Engine, CancellationToken.None);
        Assert.Contains("TO 's3://reports-bucket/out/open/'", Unload(plan).Sql, StringComparison.Ordinal);

        var error = Assert.Throws<ReconException>(() => TransformJob.Run(spec, _dir.File("work"), Engine, TimeProvider.System, CancellationToken.None));

        Assert.Contains("the embedded engine writes local files only", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.File("s3:")));
    }

    [Fact]
    public async Task LocalAthena_RunsOnlyTheStatementsCompiledHere_WithTheirOwnParameters()
    {
        var athena = new LocalAthena(_dir.File("work"), Engine, TimeProvider.System);
        var unknown = await Assert.ThrowsAsync<ReconException>(() => athena.StartQueryExecutionAsync(
            new JsonObject { ["QueryString"] = "DROP TABLE `recon`.`anything`", ["WorkGroup"] = LocalAthena.LocalWorkGroup }, CancellationToken.None));
        Assert.Contains("runs only statements recon-transform-compile produced in this process", unknown.Message, StringComparison.Ordinal);

        var registry = new Recon.Workflows.TaskRegistry();
        JobWorkflows.Register(registry, new JobFunctions(Engine, athena.FunctionOptions(_dir.File("work"))));
        File.WriteAllText(_dir.File("spec.json"), "{\"inputs\": {\"orders\": \"orders.csv\"}, \"steps\": [{\"op\": \"filter\", \"where\": \"status = 'open'\"}], \"output\": {\"path\": \"o.parquet\"}}");
        var compiled = await Call(JobFunctionNames.TransformCompile, new JsonObject { ["job_id"] = "j2", ["spec_file"] = _dir.File("spec.json") });
        var unload = compiled["statements"]!.AsArray().Single(s => s!["role"]!.GetValue<string>() == "unload")!;
        var changed = await Assert.ThrowsAsync<ReconException>(() => athena.StartQueryExecutionAsync(
            new JsonObject { ["QueryString"] = unload["query"]!.GetValue<string>(), ["ExecutionParameters"] = new JsonArray("'closed'"), ["WorkGroup"] = LocalAthena.LocalWorkGroup },
            CancellationToken.None));
        Assert.Contains("are not the 1 values compiled for", changed.Message, StringComparison.Ordinal);
        Assert.Equal(3, athena.Pending); // the table, the UNLOAD and the DROP of job j2

        async Task<JsonNode> Call(string function, JsonObject input)
        {
            Assert.True(registry.Contains(function));
            var handler = new JobFunctions(Engine, athena.FunctionOptions(_dir.File("work"))).Handlers[function];
            await using var output = await handler(new MemoryStream(Encoding.UTF8.GetBytes(input.ToJsonString())), CancellationToken.None);
            return (await JsonNode.ParseAsync(output))!;
        }
    }

    [GeneratedRegex("^'(?:[^']|'')*'$")]
    private static partial Regex SingleLiteral();
}
