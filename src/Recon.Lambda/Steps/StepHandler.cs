using System.Text.Json;
using Recon.Core;
using Recon.Pipeline.Formats;

namespace Recon.Lambda.Steps;

/// <summary>The JSON shell of every handler: the input message in, the output message out (snake_case, <see cref="StepJson"/>).</summary>
internal static class StepHandler
{
    public static async Task<Stream> HandleAsync<TIn, TOut>(Stream input, Func<TIn, Task<TOut>> handler)
    {
        TIn request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<TIn>(input, StepJson.Options).ConfigureAwait(false)
                      ?? throw ReconErrors.StepInputEmpty(typeof(TIn).Name);
        }
        catch (JsonException e)
        {
            throw ReconErrors.StepInputInvalid(typeof(TIn).Name, e);
        }

        var output = new MemoryStream();
        await JsonSerializer.SerializeAsync(output, await handler(request).ConfigureAwait(false), StepJson.Options).ConfigureAwait(false);
        output.Position = 0;
        return output;
    }
}
