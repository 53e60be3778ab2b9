// The executable of the Lambda package (renamed bootstrap by tools/package-lambda.sh): see Runtime/LambdaBootstrap.
return await Recon.Lambda.Runtime.LambdaBootstrap.RunAsync(Environment.GetEnvironmentVariable, Console.Out, Console.Error, CancellationToken.None);
