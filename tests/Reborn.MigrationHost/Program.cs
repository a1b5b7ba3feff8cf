// The child process of the migration crash test: opens a RocksDB cluster on the directory it is
// given, with every write synced (Durability.Always), adds groups 1 and 2 if missing, seeds data once,
// then runs writers and a migration loop until it is killed. Each acknowledged write is printed as
// "ack <key> <value>" (a counter's, a list's length or a hash field's value after the write) and each
// migration as "start <mode> <first> <last> <target>" once its slots are marked moving, then
// "done <state>". Every loop is bounded, so a forgotten child ends by itself.
using System.Globalization;
using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.Migration;
using Reborn.Core.Slots;
using Reborn.Storage;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Reborn.MigrationHost <data-directory> <seed>");
    return 2;
}
string directory = args[0];
int seed = int.Parse(args[1], CultureInfo.InvariantCulture);
var output = Console.Out;

await using var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions
{
    Engine = EngineKind.RocksDb, DataDirectory = directory, Durability = Durability.Always,
});
await cluster.MigrationCompletion; // a key-by-key move resumed by recovery finishes first
for (int group = 1; group <= 2; group++)
    if (cluster.ListGroups().All(g => g.Id != group)) await cluster.AddGroupAsync(group);
var db = cluster.GetDatabase(0);
if (await db.DatabaseSizeAsync() == 0)
{
    for (int i = 0; i < 6_000; i += 500)
        await db.StringSetAsync(Enumerable.Range(i, 500).Select(k => new KeyValuePair<RebornKey, RebornValue>("fill:" + k, "F" + k)).ToArray());
    for (int i = 0; i < 5_000; i += 500)
        await db.HashSetAsync("bighash", Enumerable.Range(i, 500).Select(f => new HashEntry("f" + f, "1")).ToArray());
}
output.WriteLine("ready");

int stop = 0;
var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
{
    var random = new Random(seed * 31 + w);
    for (int n = 0; n < 1_000_000 && Volatile.Read(ref stop) == 0; n++)
    {
        if (n % 16 == 0) await Task.Yield();
        switch (random.Next(4))
        {
            case 0:
            {
                string key = $"c:{w}:{random.Next(300)}";
                long value = await db.StringIncrementAsync(key);
                output.WriteLine($"ack {key} {value}");
                break;
            }
            case 1:
            {
                string key = $"l:{w}:{random.Next(50)}";
                long length = await db.ListLeftPushAsync(key, "e" + n);
                output.WriteLine($"ack {key} {length}");
                break;
            }
            case 2:
            {
                string key = $"{{h{random.Next(20)}}}:{w}";
                long value = await db.HashIncrementAsync(key, "f");
                output.WriteLine($"ack {key}/f {value}");
                break;
            }
            default:
            {
                long value = await db.HashIncrementAsync("bighash", "w" + w);
                output.WriteLine($"ack bighash/w{w} {value}");
                break;
            }
        }
    }
})).ToArray();

var plan = new Random(seed);
int[] hot = [SlotHash.GetSlot("bighash"u8), SlotHash.GetSlot("{h3}"u8), SlotHash.GetSlot("c:0:7"u8)];
for (int i = 0; i < 10_000 && !writers.Any(w => w.IsCompleted); i++)
{
    var mode = (i + seed) % 2 == 0 ? MigrationMode.Key : MigrationMode.Snapshot;
    int first = plan.Next(2) == 0 ? Math.Max(0, hot[plan.Next(hot.Length)] - plan.Next(0, 40)) : plan.Next(0, 1000);
    int last = Math.Min(SlotHash.SlotCount - 1, first + plan.Next(20, 160));
    int target = (cluster.Topology[first].Group + 1 + plan.Next(2)) % 3;
    cluster.StartMigration(first, last, target, mode, new MigrationOptions { MaxKeysPerSecond = 2_000, BatchKeys = 32 });
    for (int poll = 0; poll < 5_000 && !cluster.MigrationCompletion.IsCompleted
         && !Enumerable.Range(first, last - first + 1).Any(s => cluster.Topology[s].IsMigrating); poll++)
        await Task.Delay(1);
    output.WriteLine($"start {mode} {first} {last} {target}");
    await cluster.MigrationCompletion;
    output.WriteLine($"done {cluster.MigrationStatus.State}");
}
Volatile.Write(ref stop, 1);
await Task.WhenAll(writers);
return 0;
