using BenchmarkDotNet.Running;

// `migration [...]`: issue 4's end-to-end migration figures (Migration/MigrationBenchmark.cs); anything else goes to BenchmarkDotNet.
if (args is ["migration", ..]) return await Reborn.Benchmarks.Migration.MigrationBenchmark.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
