using System.Text.Json;
using Recon.Core.Ports;

namespace Recon.Api.Json;

/// <summary>A job as <c>recon jobs list --json</c> and <c>GET /api/jobs</c> write it: one writer for both.</summary>
internal static class JobJson
{
    public static string StateName(JobState state) => state.ToString().ToLowerInvariant();

    public static void Job(Utf8JsonWriter w, JobRecord j)
    {
        w.WriteStartObject();
        w.WriteString("id", j.Id);
        w.WriteString("name", j.Name);
        w.WriteString("kind", j.Kind);
        w.WriteString("state", StateName(j.State));
        w.WriteNumber("attempts", j.Attempts);
        ApiJson.Time(w, "submitted_at", j.SubmittedAt);
        ApiJson.Time(w, "started_at", j.StartedAt);
        ApiJson.Time(w, "finished_at", j.FinishedAt);
        ApiJson.StringOrNull(w, "error", j.Error);
        w.WritePropertyName("result");
        if (j.Result is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteRawValue(j.Result);
        }

        w.WritePropertyName("spec");
        w.WriteRawValue(j.Spec);
        w.WriteEndObject();
    }
}
