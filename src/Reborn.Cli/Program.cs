using System.CommandLine;
using Reborn.Cli.Admin;
using Reborn.Cli.Server;

var root = new RootCommand("Reborn: a Redis-compatible, disk-backed key-value store.");
root.Subcommands.Add(ServerCommand.Create());
foreach (var admin in AdminCommands.Create()) root.Subcommands.Add(admin);

// The generic host handles Ctrl+C and SIGTERM (a graceful stop); System.CommandLine must not race it.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
