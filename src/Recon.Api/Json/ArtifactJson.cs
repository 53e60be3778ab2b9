using System.Text.Json;
using Recon.Pipeline.Reading;

namespace Recon.Api.Json;

/// <summary>An artifact's versions as <c>recon history --json</c> and <c>GET /api/artifacts/{id}/versions</c> write them: one writer for both.</summary>
internal static class ArtifactJson
{
    /// <summary>The versions, oldest first: identity, run, time, status, line count, balances and where the record is.</summary>
    public static void Versions(Utf8JsonWriter w, IEnumerable<ArtifactVersion> versions)
    {
        w.WriteStartArray();
        foreach (var v in versions)
        {
            w.WriteStartObject();
            w.WriteString("artifact_id", v.State.ArtifactId);
            w.WriteNumber("version", v.State.Version);
            w.WriteString("run_id", v.State.RunId);
            ApiJson.Time(w, "updated_at", v.State.UpdatedAt);
            w.WriteString("status", v.State.Status);
            w.WriteNumber("line_count", v.State.LineCount);
            ApiJson.Amounts(w, "balances", v.State.Balances);
            w.WriteString("file", v.Row.File);
            w.WriteNumber("offset", v.Row.Offset);
            w.WriteNumber("length", v.Row.Length);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
