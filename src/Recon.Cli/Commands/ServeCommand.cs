using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Recon.Api;
using Recon.Api.Web;
using Recon.Hosting;

namespace Recon.Cli.Commands;

/// <summary><c>recon serve</c>: the HTTP API with the ingest loop, on the deployment the settings name.</summary>
internal static class ServeCommand
{
    public static void Add(RootCommand root, CliIO io)
    {
        var urls = new Option<string[]>("--urls") { Description = $"Addresses to listen on, comma-separated (default {ReconApiOptions.DefaultUrl})", AllowMultipleArgumentsPerToken = true };
        var noIngest = new Option<bool>("--no-ingest") { Description = "Serve reads only: run no ingest loop (several hosts may share one deployment)" };
        var poll = new Option<double>("--poll") { Description = "Seconds between inbox scans of the ingest loop", DefaultValueFactory = _ => 5 };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate for https:// URLs" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert" };
        var oidcAuthority = new Option<string?>("--oidc-authority") { Description = "OIDC issuer URL: accept its JWTs (claims recon_role, recon_entities)" };
        var oidcAudience = new Option<string?>("--oidc-audience") { Description = "Audience the OIDC JWTs must carry" };
        var maxBatchMb = new Option<int>("--max-batch-mb") { Description = "Largest POST /api/batches body in MiB", DefaultValueFactory = _ => 64 };
        var workflows = new Option<string?>("--workflows") { Description = "Folder of the workflow definitions (default: the workflows/ installed with recon)" };
        var cmd = new Command("serve", "Serve the HTTP API (/api, /healthz, /readyz, /metrics, /openapi/v1.json) and run the ingest loop")
        {
            urls, noIngest, poll, tlsCert, tlsKey, oidcAuthority, oidcAudience, maxBatchMb, workflows,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            double pollSeconds = pr.GetValue(poll);
            if (pollSeconds <= 0)
            {
                throw CliErrors.PollNotPositive(pollSeconds);
            }

            if (pr.GetValue(maxBatchMb) <= 0)
            {
                throw CliErrors.MaxBatchMbNotPositive();
            }

            var listen = (pr.GetValue(urls) ?? []).SelectMany(u => u.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var options = new ReconApiOptions
            {
                Urls = listen.Length == 0 ? [ReconApiOptions.DefaultUrl] : listen,
                Ingest = !pr.GetValue(noIngest),
                Poll = TimeSpan.FromSeconds(pollSeconds),
                TlsCertificateFile = pr.GetValue(tlsCert),
                TlsKeyFile = pr.GetValue(tlsKey),
                OidcAuthority = pr.GetValue(oidcAuthority),
                OidcAudience = pr.GetValue(oidcAudience),
                MaxBatchBytes = (long)pr.GetValue(maxBatchMb) << 20,
                WorkflowsDirectory = pr.GetValue(workflows),
            };
            try
            {
                options.Validate();
            }
            catch (Core.ReconException e)
            {
                throw CliErrors.Usage(e);
            }

            var settings = CliOptions.Settings(pr);
            using var ws = Workspace.Open(settings, create: true);
            if (options.Ingest)
            {
                ws.LockForRun(); // the ingest loop is 'recon run --watch': the same one-runner rule holds
            }

            using var access = ReconAccessStore.Open(settings, ws.Backend.Time);
            await using var app = ReconApiHost.Build(new ReconApiServices(ws.Backend, access.Store, ws.Executions), options,
                b => b.Services.AddReconPages(), a => a.UseReconPages());
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                io.Error.WriteLine("recon: stopping: the ingest loop finishes the executions under way…");
                stop.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                await app.StartAsync(ct);
                var addresses = app.Services.GetService(typeof(IServer)) is IServer server
                    ? server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []
                    : [];
                io.Out.WriteLine($"recon serve: listening on {string.Join(", ", addresses)} ({settings.Describe()}; ingest {(options.Ingest ? "on" : "off")})");
                await app.WaitForShutdownAsync(stop.Token);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }

            return 0;
        });
        root.Add(cmd);
    }
}
