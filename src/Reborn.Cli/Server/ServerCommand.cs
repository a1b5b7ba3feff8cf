using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reborn.Hosting;

namespace Reborn.Cli.Server;

/// <summary>
/// <c>reborn server</c>: the RESP endpoint on the generic host. Settings, weakest first: the
/// defaults (RocksDB in ./data, 127.0.0.1:6379), the --config file, environment variables
/// (Reborn__Server__Port=6380), then the flags. Ctrl+C and SIGTERM stop it gracefully.
/// </summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var port = new Option<int?>("--port", "-p") { Description = "TCP port to listen on (default 6379; 0 picks a free one)" };
        var bind = new Option<string?>("--bind") { Description = "IP address to listen on (default 127.0.0.1)" };
        var dir = new Option<string?>("--dir") { Description = "Data directory (default ./data)" };
        var engine = new Option<string?>("--engine") { Description = "Storage engine (default rocksdb)" };
        engine.AcceptOnlyFromAmong("rocksdb", "faster", "memory");
        var requirePass = new Option<string?>("--requirepass") { Description = "Password clients must AUTH with" };
        var config = new Option<FileInfo>("--config") { Description = "JSON settings file, appsettings shape: { \"Reborn\": { \"DataDirectory\": ..., \"Server\": { \"Port\": ... } } }" };
        config.AcceptExistingOnly();

        var command = new Command("server", "Run the Redis-compatible server") { port, bind, dir, engine, requirePass, config };
        command.SetAction((parse, _) =>
        {
            var flags = new Dictionary<string, string?>();
            if (parse.GetValue(port) is { } p) flags["Reborn:Server:Port"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (parse.GetValue(bind) is { } b) flags["Reborn:Server:Bind"] = b;
            if (parse.GetValue(dir) is { } d) flags["Reborn:DataDirectory"] = d;
            if (parse.GetValue(engine) is { } e) flags["Reborn:Engine"] = e;
            if (parse.GetValue(requirePass) is { } r) flags["Reborn:Server:RequirePass"] = r;
            SocketThreads.RunCommandsOnEventLoop();
            return RunAsync(parse.GetValue(config), flags);
        });
        return command;
    }

    private static async Task<int> RunAsync(FileInfo? configFile, Dictionary<string, string?> flags)
    {
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [], ApplicationName = "reborn", ContentRootPath = Directory.GetCurrentDirectory() });
            if (configFile is not null) builder.Configuration.AddJsonFile(configFile.FullName, optional: false, reloadOnChange: false);
            builder.Configuration.AddEnvironmentVariables();
            builder.Configuration.AddInMemoryCollection(flags);

            builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
            // A failed start is reported below as one line; the host's own error log would add a stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

            builder.Services.AddReborn().AddRebornServer();
            using var host = builder.Build();
            await host.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception error) when (OperatorMessage(error) is { } message)
        {
            await Console.Error.WriteLineAsync($"reborn: {message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The one-line message of a failure the operator can fix; null for a bug (which keeps its stack trace).</summary>
    private static string? OperatorMessage(Exception error)
    {
        if (error is AggregateException { InnerExceptions.Count: 1 } aggregate) error = aggregate.InnerExceptions[0];
        return error switch
        {
            RebornStartupException => error.Message,
            OptionsValidationException => error.Message,
            // The configuration binder: "Failed to convert configuration value '...' at 'Reborn:Server:Port' to type ...".
            InvalidOperationException when error.Message.Contains("configuration value", StringComparison.Ordinal) => error.Message,
            // A --config file that is not JSON.
            InvalidDataException => error.InnerException is { } inner ? $"{error.Message} {inner.Message}" : error.Message,
            _ => null,
        };
    }
}
