using System.Text;
using System.Text.Json;

namespace Recon.Lambda.Metrics;

/// <summary>
/// Publishes metrics in CloudWatch's Embedded Metric Format: one JSON line on the function's stdout, which Lambda
/// sends to CloudWatch Logs, where each line becomes data points of the metrics it declares. No SDK and no API call.
/// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
/// </summary>
internal sealed class EmbeddedMetrics(TextWriter output, string deployment, TimeProvider time)
{
    private readonly Lock _gate = new();

    /// <summary>Writes one line with these metrics (name, CloudWatch unit, value) under the deployment's dimension.</summary>
    public void Publish(params ReadOnlySpan<(string Name, string Unit, double Value)> metrics)
    {
        if (metrics.IsEmpty)
        {
            return;
        }

        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("_aws");
            w.WriteNumber("Timestamp", time.GetUtcNow().ToUnixTimeMilliseconds());
            w.WriteStartArray("CloudWatchMetrics");
            w.WriteStartObject();
            w.WriteString("Namespace", ReconMetricNames.Namespace);
            w.WriteStartArray("Dimensions");
            w.WriteStartArray();
            w.WriteStringValue(ReconMetricNames.DeploymentDimension);
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteStartArray("Metrics");
            foreach (var (name, unit, _) in metrics)
            {
                w.WriteStartObject();
                w.WriteString("Name", name);
                w.WriteString("Unit", unit);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteString(ReconMetricNames.DeploymentDimension, deployment);
            foreach (var (name, _, value) in metrics)
            {
                w.WriteNumber(name, value);
            }

            w.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
