using System.Text.Json.Nodes;
using Recon.Lambda.Metrics;

namespace Recon.Infra.Tests;

/// <summary>Alarms, the dashboard, the dead-letter queue and the serve host behind HTTPS.</summary>
[Collection(StackCollection.Name)]
public sealed class OperationsTests(SynthesizedStack synth)
{
    private IReadOnlyList<JsonObject> Alarms => synth.OfType("AWS::CloudWatch::Alarm").Select(a => a.Properties).ToList();

    [Theory]
    [InlineData("PendingBatches", "PendingBatchesAlarmThreshold")]
    [InlineData("OldestPendingAgeSeconds", "OldestPendingAgeAlarmSeconds")]
    [InlineData("FailedBatches", "FailedBatchesAlarmThreshold")]
    public void CustomMetricAlarm_WatchesTheReconNamespace_WithItsThresholdParameter(string metric, string parameter)
    {
        var alarm = Assert.Single(Alarms, a => a["MetricName"]?.GetValue<string>() == metric);
        Assert.Equal("Recon", alarm["Namespace"]!.GetValue<string>());
        var dimension = Assert.Single(alarm["Dimensions"]!.AsArray())!;
        Assert.Equal("Deployment", dimension["Name"]!.GetValue<string>());
        Assert.Equal(synth.Options.Deployment, dimension["Value"]!.GetValue<string>());
        Assert.Equal($"<ref:{parameter}>", CfnValues.Render(alarm["Threshold"]));
        AssertNotifiesTheTopic(alarm);
    }

    [Fact]
    public void EveryReconMetricAlarm_WatchesAMetricTheFunctionsPublish_UnderTheDeploymentTheyAreGiven()
    {
        var published = new[] { ReconMetricNames.PendingBatches, ReconMetricNames.OldestPendingAgeSeconds, ReconMetricNames.FailedBatches };
        var custom = Alarms.Where(a => a["Namespace"]?.GetValue<string>() == ReconMetricNames.Namespace).ToList();
        Assert.Equal(published.Order(StringComparer.Ordinal), custom.Select(a => a["MetricName"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var alarm in custom)
        {
            var dimension = Assert.Single(alarm["Dimensions"]!.AsArray())!;
            Assert.Equal(ReconMetricNames.DeploymentDimension, dimension["Name"]!.GetValue<string>());
        }

        var functions = synth.OfType("AWS::Lambda::Function").ToList();
        Assert.NotEmpty(functions);
        foreach (var function in functions)
        {
            Assert.Equal(synth.Options.Deployment, function.Properties["Environment"]!["Variables"]!["RECON_DEPLOYMENT"]!.GetValue<string>());
        }
    }

    [Fact]
    public void DeadLetterQueue_IsEncrypted_AndAlarmsWhenItHoldsMessages()
    {
        var queue = Assert.Single(synth.OfType("AWS::SQS::Queue"), q => q.Properties["QueueName"]?.GetValue<string>() == $"{synth.Options.Deployment}-failed-runs");
        Assert.True(queue.Properties["SqsManagedSseEnabled"]!.GetValue<bool>());
        var alarm = Assert.Single(Alarms, a => a["MetricName"]?.GetValue<string>() == "ApproximateNumberOfMessagesVisible"
            && CfnValues.Render(Assert.Single(a["Dimensions"]!.AsArray())!["Value"]) == $"<getatt:{queue.Id}.QueueName>");
        Assert.Equal("AWS/SQS", alarm["Namespace"]!.GetValue<string>());
        AssertNotifiesTheTopic(alarm);
    }

    [Fact]
    public void EveryStateMachine_ByDefault_HasAnExecutionsFailedAlarm()
    {
        var machines = synth.OfType("AWS::StepFunctions::StateMachine");
        Assert.NotEmpty(machines);
        foreach (var (id, _) in machines)
        {
            var alarm = Assert.Single(Alarms, a => a["MetricName"]?.GetValue<string>() == "ExecutionsFailed"
                && CfnValues.Render(a["Dimensions"]![0]!["Value"]) == $"<ref:{id}>");
            Assert.Equal("AWS/States", alarm["Namespace"]!.GetValue<string>());
            AssertNotifiesTheTopic(alarm);
        }
    }

    [Fact]
    public void Dashboard_ByDefault_ShowsTheBacklogAndTheAlarms()
    {
        var dashboard = Assert.Single(synth.OfType("AWS::CloudWatch::Dashboard")).Properties;
        string body = CfnValues.Render(dashboard["DashboardBody"]);
        Assert.Contains("PendingBatches", body, StringComparison.Ordinal);
        Assert.Contains("OldestPendingAgeSeconds", body, StringComparison.Ordinal);
        Assert.Contains("ExecutionsFailed", body, StringComparison.Ordinal);
        Assert.Contains("\"alarms\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_RunsOnFargateBehindAnHttpsListener_WithTheCertificateParameter()
    {
        var https = Assert.Single(synth.OfType("AWS::ElasticLoadBalancingV2::Listener"), l => l.Properties["Protocol"]!.GetValue<string>() == "HTTPS").Properties;
        Assert.Equal(443, https["Port"]!.GetValue<int>());
        Assert.Equal("<ref:ServeCertificateArn>", CfnValues.Render(https["Certificates"]![0]!["CertificateArn"]));
        var http = Assert.Single(synth.OfType("AWS::ElasticLoadBalancingV2::Listener"), l => l.Properties["Protocol"]!.GetValue<string>() == "HTTP").Properties;
        Assert.Equal("redirect", http["DefaultActions"]![0]!["Type"]!.GetValue<string>());

        var service = Assert.Single(synth.OfType("AWS::ECS::Service")).Properties;
        Assert.Equal("FARGATE", service["LaunchType"]!.GetValue<string>());
        Assert.Equal("DISABLED", service["NetworkConfiguration"]!["AwsvpcConfiguration"]!["AssignPublicIp"]!.GetValue<string>());

        var container = Assert.Single(Assert.Single(synth.OfType("AWS::ECS::TaskDefinition")).Properties["ContainerDefinitions"]!.AsArray())!;
        Assert.Contains("<ref:ServeImageRepository>", CfnValues.Render(container["Image"]), StringComparison.Ordinal);
        Assert.EndsWith(":<ref:ServeImageTag>", CfnValues.Render(container["Image"]), StringComparison.Ordinal);
        Assert.Equal("serve", Assert.Single(container["Command"]!.AsArray())!.GetValue<string>());
        Assert.Equal("RECON_REDIS", Assert.Single(container["Secrets"]!.AsArray())!["Name"]!.GetValue<string>());
        Assert.DoesNotContain(container["Environment"]!.AsArray(), e => e!["Name"]!.GetValue<string>() == "RECON_REDIS");
    }

    private void AssertNotifiesTheTopic(JsonObject alarm)
    {
        var topic = Assert.Single(synth.OfType("AWS::SNS::Topic"));
        Assert.Equal($"<ref:{topic.Id}>", CfnValues.Render(Assert.Single(alarm["AlarmActions"]!.AsArray())));
    }
}
