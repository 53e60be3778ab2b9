using System.Text.Json.Nodes;
using Recon.Core;
using Recon.Orchestration;

namespace Recon.Lambda.Tests;

public sealed class LambdaErrorsTests
{
    [Fact]
    public void Wrap_ClassifiedError_RethrowsUnderTheTypeNameLambdaReports()
    {
        var throttled = LambdaErrors.Wrap(new ReconRetryableException(ReconErrorNames.Throttled, "slow down"));
        Assert.IsType<ReconThrottled>(throttled);
        Assert.Equal("slow down", throttled!.Message);
        Assert.IsType<ReconTransient>(LambdaErrors.Wrap(new IOException("reset")));
        Assert.IsType<ReconValidation>(LambdaErrors.Wrap(new ReconException("bad input")));
        Assert.Null(LambdaErrors.Wrap(new InvalidOperationException("a bug")));
    }

    [Fact]
    public void TypeNames_EveryReconErrorADefinitionRetriesOrCatches_AlsoNamesItsLambdaType()
    {
        foreach (var path in Directory.GetFiles(WorkflowSet.DefaultDirectory(), "*.asl.json"))
        {
            int checkedRules = 0;
            void Walk(JsonNode? node)
            {
                if (node is JsonObject o)
                {
                    foreach (var key in new[] { "Retry", "Catch" })
                    {
                        foreach (var rule in o[key]?.AsArray() ?? [])
                        {
                            var names = rule!["ErrorEquals"]!.AsArray().Select(n => (string)n!).ToList();
                            foreach (var name in names.Where(LambdaErrors.TypeNames.ContainsKey))
                            {
                                Assert.Contains(LambdaErrors.TypeNames[name], names);
                                checkedRules++;
                            }
                        }
                    }

                    foreach (var (_, child) in o)
                    {
                        Walk(child);
                    }
                }
                else if (node is JsonArray a)
                {
                    foreach (var child in a)
                    {
                        Walk(child);
                    }
                }
            }

            Walk(JsonNode.Parse(File.ReadAllText(path)));
            Assert.True(checkedRules > 0, $"{path} declares retries on Recon errors");
        }
    }
}
