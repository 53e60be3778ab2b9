using System.CommandLine;
using System.Globalization;
using Recon.Api.Json;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Hosting;
using Recon.Jobs.Engine;
using Recon.Jobs.Queue;
using Recon.Jobs.Sources;
using Recon.Orchestration.Jobs;
using Spectre.Console;

namespace Recon.Cli.Commands;

internal static class JobsCommands
{
    public static void Add(RootCommand root, CliIO io)
    {
        var jobs = new Command("jobs", "The queue of compare and transform jobs (DATA/ledger.db locally; SQS and the ledger table on aws): submit, run, list, show, dead, retry");

        var specFile = new Argument<string>("SPEC") { Description = "Job spec (JSON): a transform spec, or {\"kind\": \"compare\", \"source\", \"target\", \"key\", …}" };
        var name = new Option<string?>("--name") { Description = "A name to find the job by" };
        var submit = new Command("submit", "Queue a job; 'recon jobs run' runs it") { specFile, name };
        submit.SetAction(async (pr, ct) =>
        {
            var path = pr.GetValue(specFile)!;
            if (!File.Exists(path))
            {
                throw CliErrors.SpecFileMissing(path);
            }

            var (kind, stored) = JobRunner.Prepare(await File.ReadAllTextAsync(path, ct), Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var queue = Open(pr);
            var job = await queue.SubmitAsync(pr.GetValue(name) ?? Path.GetFileNameWithoutExtension(path), kind, stored, DateTimeOffset.UtcNow, ct);
            await io.Out.WriteLineAsync(job.Id);
            return 0;
        });
        jobs.Add(submit);

        var maxConcurrent = new Option<int>("--max-concurrent") { Description = "Jobs running at once, each with its own engine (default 10)", DefaultValueFactory = _ => 10 };
        var attempts = new Option<int>("--max-attempts") { Description = "Attempts of a job failing with a transient error before it goes to the dead list (default 3)", DefaultValueFactory = _ => 3 };
        var watch = new Option<bool>("--watch") { Description = "Keep waiting for new jobs instead of returning when the queue is empty" };
        var compareMachine = new Option<string?>("--compare-state-machine")
        {
            Description = "aws: run compare jobs as executions of this deployed state machine (ARN of {deployment}-compare) instead of on this machine; inputs must be s3://",
        };
        var transformMachine = new Option<string?>("--transform-state-machine")
        {
            Description = "aws: run transform jobs as executions of this deployed state machine (ARN of {deployment}-transform, on Athena) instead of on this machine; inputs and output must be s3://, output Parquet",
        };
        var statesEndpoint = new Option<string?>("--states-endpoint") { Description = "aws: a Step Functions-compatible endpoint (default: the region's)" };
        var run = new Command("run", "Run queued jobs until the queue is empty (or forever with --watch)")
        {
            maxConcurrent, attempts, watch, CompareCommand.Work, CompareCommand.MemoryLimit, compareMachine, transformMachine, statesEndpoint,
        };
        run.SetAction(async (pr, ct) =>
        {
            var settings = CliOptions.Settings(pr);
            using var queue = Open(pr);
            var runner = new JobRunner(
                pr.GetValue(CompareCommand.Work) ?? Path.Combine(settings.DataDirectory, "jobs"),
                JobS3.With(new JobEngineOptions { MemoryLimit = pr.GetValue(CompareCommand.MemoryLimit) ?? "1GB" }, settings),
                TimeProvider.System,
                async (csv, token) =>
                {
                    using var ws = Workspace.Open(settings, create: false);
                    await ArtifactBalances.WriteCsvAsync(ws.Queries, csv, token);
                });
            using var http = new HttpClient();
            string? compareArn = pr.GetValue(compareMachine), transformArn = pr.GetValue(transformMachine);
            using var s3 = compareArn is null && transformArn is null ? null : Storage.Aws.AwsClients.CreateS3(ReconBackend.Connection(settings));
            JobExecutor execute = runner.RunAsync;
            if (s3 is not null)
            {
                var deployment = Deployment.Open(settings, s3, http, pr.GetValue(statesEndpoint));
                JobExecutor compare = compareArn is null ? runner.RunAsync : deployment.Compare(compareArn).RunAsync;
                JobExecutor transform = transformArn is null ? runner.RunAsync : deployment.Transform(transformArn).RunAsync;
                execute = (job, token) => job.Kind switch
                {
                    JobKinds.Compare => compare(job, token),
                    JobKinds.Transform => transform(job, token),
                    _ => runner.RunAsync(job, token),
                };
            }

            var worker = new JobWorker(queue, execute, new JobWorkerOptions
            {
                MaxConcurrent = pr.GetValue(maxConcurrent),
                MaxAttempts = pr.GetValue(attempts),
                Watch = pr.GetValue(watch),
            }, TimeProvider.System);
            await worker.RunAsync(ct);
            await io.Out.WriteLineAsync($"{worker.Succeeded} succeeded, {worker.Retried} retried, {worker.Dead} dead");
            return worker.Dead > 0 ? 1 : 0;
        });
        jobs.Add(run);

        var listJson = CliOptions.Json();
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "Jobs, newest first") { listJson, limit };
        list.SetAction(async (pr, ct) =>
        {
            using var queue = Open(pr);
            Print(io, await queue.ListAsync(null, pr.GetValue(limit), ct), pr.GetValue(listJson));
            return 0;
        });
        jobs.Add(list);

        var deadJson = CliOptions.Json();
        var dead = new Command("dead", "Jobs that gave up, with their reason") { deadJson };
        dead.SetAction(async (pr, ct) =>
        {
            using var queue = Open(pr);
            Print(io, await queue.ListAsync(JobState.Dead, 1000, ct), pr.GetValue(deadJson));
            return 0;
        });
        jobs.Add(dead);

        var showId = new Argument<string>("ID") { Description = "Job id" };
        var show = new Command("show", "One job: state, attempts, times, spec, result or reason") { showId };
        show.SetAction(async (pr, ct) =>
        {
            using var queue = Open(pr);
            var job = await queue.GetAsync(pr.GetValue(showId)!, ct) ?? throw CliErrors.JobNotFound(pr.GetValue(showId)!);
            Print(io, [job], json: true);
            return 0;
        });
        jobs.Add(show);

        var retryId = new Argument<string>("ID") { Description = "Dead job id" };
        var retry = new Command("retry", "Put a dead job back in the queue with its attempts reset") { retryId };
        retry.SetAction(async (pr, ct) =>
        {
            using var queue = Open(pr);
            var id = pr.GetValue(retryId)!;
            if (!await queue.RetryAsync(id, DateTimeOffset.UtcNow, ct))
            {
                throw CliErrors.JobNotDead(id);
            }

            await io.Out.WriteLineAsync($"{id} queued again");
            return 0;
        });
        jobs.Add(retry);
        root.Add(jobs);
    }

    /// <summary>The backend's job queue: DATA/ledger.db locally, SQS + the ledger table on aws.</summary>
    private static IJobQueue Open(ParseResult pr) => ReconBackend.OpenJobQueue(CliOptions.Settings(pr));

    /// <summary>
    /// The deployed job workflows (--compare-state-machine, --transform-state-machine): the spec handed over under the
    /// bucket's jobs prefix, an execution per attempt, watched through the Step Functions API.
    /// </summary>
    private sealed record Deployment(IObjectStore Jobs, string JobsLocation, Lambda.Aws.StepFunctionsExecutions Executions)
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

        public static Deployment Open(ReconSettings settings, Amazon.S3.IAmazonS3 s3, HttpClient http, string? endpoint)
        {
            if (settings.Backend != BackendKind.Aws)
            {
                throw CliErrors.DeployedWorkflowsNeedAws();
            }

            Uri? states = null;
            if (endpoint is not null && !(Uri.TryCreate(endpoint, UriKind.Absolute, out states) && states.Scheme is "http" or "https"))
            {
                throw CliErrors.StatesEndpointInvalid(endpoint);
            }

            var prefix = settings.S3Prefix.Length == 0 ? "jobs" : settings.S3Prefix + "/jobs";
            return new Deployment(
                new Storage.Aws.S3ObjectStore(s3, settings.S3Bucket!, prefix, new Storage.Aws.AwsResilience()),
                $"s3://{settings.S3Bucket}/{prefix}",
                new Lambda.Aws.StepFunctionsExecutions(http, settings.Credentials, settings.Region, TimeProvider.System, states));
        }

        public DeployedCompareRunner Compare(string arn) =>
            new(Jobs, JobsLocation, Executions, StateMachine("--compare-state-machine", arn), TimeProvider.System, PollInterval);

        public DeployedTransformRunner Transform(string arn) =>
            new(Jobs, JobsLocation, Executions, StateMachine("--transform-state-machine", arn), TimeProvider.System, PollInterval);

        private static string StateMachine(string option, string arn) =>
            arn.StartsWith("arn:", StringComparison.Ordinal) && arn.Contains(":stateMachine:", StringComparison.Ordinal)
                ? arn
                : throw CliErrors.NotAStateMachineArn(option, arn);
    }

    private static void Print(CliIO io, IReadOnlyList<JobRecord> jobs, bool json)
    {
        if (json)
        {
            JsonOut.Write(io.Out, w =>
            {
                w.WriteStartArray();
                foreach (var j in jobs)
                {
                    JobJson.Job(w, j);
                }

                w.WriteEndArray();
            });
            return;
        }

        var table = new Table().AddColumns("id", "name", "kind", "state", "attempts", "submitted", "error");
        foreach (var j in jobs)
        {
            table.AddRow(j.Id, Markup.Escape(j.Name), j.Kind, JobJson.StateName(j.State), j.Attempts.ToString(CultureInfo.InvariantCulture),
                IsoTime.Format(j.SubmittedAt), Markup.Escape(j.Error ?? ""));
        }

        io.Console.Write(table);
    }
}
