using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Storage.Aws;
using Recon.Storage.Aws.Jobs;
using Recon.Storage.Aws.Ledger;
using Recon.Testing.Servers;

namespace Recon.Jobs.Tests;

/// <summary>
/// The job queue contract on the AWS queue through the real SDK: SQS on local-aws-sqs, the job records in a ledger
/// table on dynalite, each test with its own queues and table. Visibility timeouts run on the server's clock, so the
/// times here are real and the short lease and retry wait are really waited for (about a second each).
/// </summary>
public sealed class SqsJobQueueTests : JobQueueContract
{
    private readonly List<IDisposable> _clients = [];
    private readonly string _table = "jobs-" + Guid.NewGuid().ToString("N");
    private readonly string _queueName = "jobs-" + Guid.NewGuid().ToString("N")[..12];
    private (string Queue, string DeadLetters)? _urls;

    /// <summary>Receives before the dead-letter queue for the queues of this class (set before the first use).</summary>
    private int MaxReceives { get; init; } = SqsJobQueues.DefaultMaxReceives;

    protected override DateTimeOffset Now => DateTimeOffset.UtcNow;

    protected override TimeSpan ShortLease => TimeSpan.FromSeconds(1);

    protected override TimeSpan RetryWait => TimeSpan.FromSeconds(1);

    protected override IJobQueue CreateQueue() => Open(MaxReceives);

    protected override IJobQueue OpenAgain() => Open(MaxReceives);

    protected override Task AdvanceAsync(TimeSpan by) => Task.Delay(by + TimeSpan.FromMilliseconds(100));

    public override void Dispose()
    {
        base.Dispose();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Claim_MessageOfACompletedJob_IsDeletedAndTheJobDoesNotRunTwice()
    {
        var job = await Queue.SubmitAsync("once", "transform", "{}", Now, default);
        await Queue.ClaimAsync(Now, ShortLease, default);
        using var sqs = Sqs();
        await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = _urls!.Value.Queue, MessageBody = job.Id }); // SQS delivers at least once

        Assert.Null(await Queue.ClaimAsync(Now, TimeSpan.FromMinutes(1), default)); // running under its lease: the duplicate is hidden till it ends
        await Queue.CompleteAsync(job.Id, "{}", Now, default);
        Assert.Equal(1, (await MessagesAsync(sqs, _urls.Value.Queue)).InFlight); // the hidden duplicate; the claimed message is deleted
        await AdvanceAsync(ShortLease + TimeSpan.FromSeconds(1));

        Assert.Null(await Queue.ClaimAsync(Now, TimeSpan.FromMinutes(1), default)); // the duplicate came back: its job is done
        Assert.Equal((JobState.Succeeded, 1), await StateOf(job.Id));
        Assert.Equal((0, 0), await MessagesAsync(sqs, _urls.Value.Queue));
    }

    [Fact]
    public async Task Claim_TwoWorkersGivenTheSameJobTwiceAtOnce_OnlyOneTakesIt()
    {
        for (int round = 0; round < 5; round++)
        {
            var job = await Queue.SubmitAsync($"twice-{round}", "transform", "{}", Now, default);
            using var sqs = Sqs();
            await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = _urls!.Value.Queue, MessageBody = job.Id });
            using var a = OpenAgain();
            using var b = OpenAgain();

            var claims = await Task.WhenAll(a.ClaimAsync(Now, TimeSpan.FromMinutes(1), default).AsTask(), b.ClaimAsync(Now, TimeSpan.FromMinutes(1), default).AsTask());

            Assert.Equal(job.Id, Assert.Single(claims, c => c is not null)!.Id);
            Assert.Equal((JobState.Running, 1), await StateOf(job.Id));
            await Queue.CompleteAsync(job.Id, "{}", Now, default);
        }
    }

    [Fact]
    public async Task Claim_JobWhoseWorkerDiesEveryTime_EndsDeadThroughTheDeadLetterQueueAndRetrySendsItAgain()
    {
        var queue = Open(maxReceives: 2);
        using var _ = queue;
        var job = await queue.SubmitAsync("crashy", "transform", "{}", Now, default);

        Assert.Equal(1, (await queue.ClaimAsync(Now, ShortLease, default))!.Attempts); // its worker dies: no outcome
        await AdvanceAsync(ShortLease);
        Assert.Equal(2, (await queue.ClaimAsync(Now, ShortLease, default))!.Attempts); // and again
        await AdvanceAsync(ShortLease);

        Assert.Null(await queue.ClaimAsync(Now, ShortLease, default)); // SQS moved the message; the claim drains it
        var dead = (await queue.GetAsync(job.Id, default))!;
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Equal("gave up after 2 attempt(s): no outcome was recorded (the worker running it stopped: crash, out of memory, killed) and SQS moved its message to the dead-letter queue",
            dead.Error);
        using var sqs = Sqs();
        Assert.Equal((0, 0), await MessagesAsync(sqs, _urls!.Value.DeadLetters));

        Assert.True(await queue.RetryAsync(job.Id, Now, default));
        var again = await queue.ClaimAsync(Now, ShortLease, default);
        Assert.Equal((job.Id, 1), (again!.Id, again.Attempts));
    }

    [Fact]
    public async Task Submit_WhenSqsRefusesTheMessage_LeavesTheJobDeadWithTheFixAndRetrySendsIt()
    {
        _ = Queue; // creates the queues and the table
        using var sqs = Sqs();
        using var dynamo = Dynamo();
        using var broken = new SqsJobQueue(sqs, dynamo, _table, _urls!.Value.Queue + "-missing", _urls.Value.DeadLetters, Fast());

        var e = await Assert.ThrowsAsync<ReconException>(async () => await broken.SubmitAsync("lost", "transform", "{}", Now, default));

        var id = e.Message.Split(' ')[1];
        var dead = (await Queue.GetAsync(id, default))!;
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Contains($"its SQS message could not be sent", dead.Error, StringComparison.Ordinal);
        Assert.EndsWith($"'recon jobs retry {id}' sends it again", dead.Error, StringComparison.Ordinal);
        Assert.True(await Queue.RetryAsync(id, Now, default));
        Assert.Equal(id, (await Queue.ClaimAsync(Now, ShortLease, default))!.Id);
    }

    [Fact]
    public async Task Submit_SpecTooLargeForAJobRecord_IsRefusedWithItsSize()
    {
        var spec = "{\"x\":\"" + new string('a', SqsJobQueue.MaxSpecBytes) + "\"}";
        var e = await Assert.ThrowsAsync<ReconException>(async () => await Queue.SubmitAsync("big", "transform", spec, Now, default));
        Assert.Contains("holds specs of at most 307,200 bytes", e.Message, StringComparison.Ordinal);
        Assert.Empty(await Queue.ListAsync(null, 10, default));
    }

    private SqsJobQueue Open(int maxReceives)
    {
        var sqs = Sqs();
        var dynamo = Dynamo();
        _clients.Add(sqs);
        _clients.Add(dynamo);
        if (_urls is null)
        {
            DynamoReconLedger.EnsureTableAsync(dynamo, _table, CancellationToken.None).GetAwaiter().GetResult();
            var made = SqsJobQueues.EnsureAsync(sqs, _queueName, _queueName + "-dlq", maxReceives, Fast(), CancellationToken.None).GetAwaiter().GetResult();
            Assert.True(made.QueueCreated && made.DeadLetterCreated);
            _urls = (made.QueueUrl, made.DeadLetterQueueUrl);
        }

        return new SqsJobQueue(sqs, dynamo, _table, _urls.Value.Queue, _urls.Value.DeadLetters, Fast());
    }

    private async Task<(JobState, int)> StateOf(string id)
    {
        var job = (await Queue.GetAsync(id, default))!;
        return (job.State, job.Attempts);
    }

    /// <summary>The queue's message counts (the server's ApproximateNumberOfMessages may include the in-flight ones).</summary>
    private static async Task<(int Messages, int InFlight)> MessagesAsync(IAmazonSQS sqs, string url)
    {
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return (attributes.ApproximateNumberOfMessages, attributes.ApproximateNumberOfMessagesNotVisible);
    }

    private static AwsConnection Connection() => new()
    {
        Region = "us-east-1",
        DynamoDbEndpoint = new Uri(SharedServers.Dynamo.ServiceUrl),
        SqsEndpoint = new Uri(SharedServers.Sqs.ServiceUrl),
        Credentials = new BasicAWSCredentials("TEST", "TEST"),
    };

    private static IAmazonSQS Sqs() => AwsClients.CreateSqs(Connection());

    private static IAmazonDynamoDB Dynamo() => AwsClients.CreateDynamoDb(Connection());

    private static AwsResilience Fast() => new(new AwsResilienceOptions
    {
        ThrottledAttempts = 2,
        TransientAttempts = 2,
        ThrottledDelay = TimeSpan.FromMilliseconds(5),
        TransientDelay = TimeSpan.FromMilliseconds(5),
        RequestTimeout = TimeSpan.FromSeconds(10),
    });
}
