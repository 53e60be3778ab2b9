using Recon.Cli;

return await ReconCli.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, handleSignals: true);
