// A Redis-compatible server inside a generic-host app: RocksDB in ./data, RESP on 127.0.0.1:6379.
// Settings come from appsettings.json's "Reborn" section or the environment (Reborn__Server__Port=6380).
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddReborn().AddRebornServer();
await builder.Build().RunAsync();
