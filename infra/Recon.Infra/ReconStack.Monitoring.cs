using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.SNS;

namespace Recon.Infra;

internal sealed partial class ReconStack
{
    /// <summary>Every alarm notifies this topic; subscribe the on-call address to it (infra/README.md).</summary>
    public Topic AlarmTopic { get; private set; } = null!;

    public IReadOnlyList<Alarm> Alarms => _alarms;

    private readonly List<Alarm> _alarms = [];

    private Metric ReconMetric(string name, string statistic) => new(new MetricProps
    {
        Namespace = ReconMetrics.Namespace,
        MetricName = name,
        DimensionsMap = new Dictionary<string, string> { [ReconMetrics.DeploymentDimension] = Options.Deployment },
        Statistic = statistic,
        Period = Duration.Minutes(5),
    });

    private void CreateMonitoring()
    {
        AlarmTopic = new Topic(this, "Alarms", new TopicProps { TopicName = $"{Options.Deployment}-alarms" });
        var pending = ReconMetric(ReconMetrics.PendingBatches, "Maximum");
        var oldest = ReconMetric(ReconMetrics.OldestPendingAgeSeconds, "Maximum");
        var failed = ReconMetric(ReconMetrics.FailedBatches, "Sum");
        var deadLetters = DeadLetterQueue.MetricApproximateNumberOfMessagesVisible(new MetricOptions { Period = Duration.Minutes(5), Statistic = "Maximum" });

        AddAlarm("BacklogDepth", pending, Parameters.PendingBatchesThreshold, 3, TreatMissingData.MISSING,
            "Pending batches stayed above the threshold for 15 minutes: the pipeline does not keep up (or is stopped).");
        AddAlarm("OldestPendingAge", oldest, Parameters.OldestPendingAgeSeconds, 1, TreatMissingData.MISSING,
            "The oldest pending batch waits longer than the threshold: see 'recon backlog'.");
        AddAlarm("FailedBatches", failed, Parameters.FailedBatchesThreshold, 1, TreatMissingData.NOT_BREACHING,
            "Batches were marked failed: 'recon backlog' lists them with their reasons.", ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
        AddAlarm("DeadLetters", deadLetters, Parameters.DeadLetterThreshold, 1, TreatMissingData.NOT_BREACHING,
            "A failed run (or a schedule that could not start) left a message in the dead-letter queue.", ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);

        var executionsFailed = new List<IMetric>();
        foreach (var (workflow, machine) in _stateMachines)
        {
            var metric = machine.MetricFailed(new MetricOptions { Period = Duration.Minutes(5), Statistic = "Sum" });
            executionsFailed.Add(metric);
            AddAlarm($"{Recon.Infra.Workflows.Placeholder.ToPascal(workflow)}ExecutionsFailed", metric, Parameters.ExecutionsFailedThreshold, 1, TreatMissingData.NOT_BREACHING,
                $"Executions of {StateMachineName(workflow)} failed (ExecutionsFailed).", ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
        }

        var dashboard = new Dashboard(this, "Dashboard", new DashboardProps { DashboardName = $"{Options.Deployment}-pipeline" });
        dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps { Title = "Backlog: pending batches", Left = [pending], Width = 8 }),
            new GraphWidget(new GraphWidgetProps { Title = "Oldest pending batch (s)", Left = [oldest], Width = 8 }),
            new GraphWidget(new GraphWidgetProps { Title = "Failed batches / dead letters", Left = [failed], Right = [deadLetters], Width = 8 }));
        dashboard.AddWidgets(
            new GraphWidget(new GraphWidgetProps { Title = "State machine executions failed", Left = [.. executionsFailed], Width = 12 }),
            new GraphWidget(new GraphWidgetProps
            {
                Title = "Lambda duration p99 (ms)",
                Left = [.. _functions.Values.Select(f => f.MetricDuration(new MetricOptions { Statistic = "p99", Period = Duration.Minutes(5) }))],
                Width = 12,
            }));
        dashboard.AddWidgets(new AlarmStatusWidget(new AlarmStatusWidgetProps { Title = "Alarms", Alarms = [.. _alarms], Width = 24 }));
    }

    private void AddAlarm(string id, IMetric metric, CfnParameter threshold, int periods, TreatMissingData missing, string description,
        ComparisonOperator comparison = ComparisonOperator.GREATER_THAN_THRESHOLD)
    {
        var alarm = new Alarm(this, id + "Alarm", new AlarmProps
        {
            AlarmName = $"{Options.Deployment}-{id}",
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold.ValueAsNumber,
            EvaluationPeriods = periods,
            ComparisonOperator = comparison,
            TreatMissingData = missing,
        });
        alarm.AddAlarmAction(new SnsAction(AlarmTopic));
        _alarms.Add(alarm);
    }
}
