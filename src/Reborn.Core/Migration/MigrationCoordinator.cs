using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Core.Migration;

/// <summary>
/// Runs one slot-range migration at a time, in either mode, and recovers after a crash: a move
/// key by key resumes; a snapshot copy rolls back. Invariants: no acknowledged write is lost and
/// no key is ever served from two groups. Lock order whenever two gates are held: lower group id first.
/// </summary>
internal sealed class MigrationCoordinator
{
    private readonly RebornCluster _cluster;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _cancel;
    private Task _running = Task.CompletedTask;
    private MigrationProgress _last = MigrationProgress.Idle;

    // progress of the running job
    private MigrationMode _mode;
    private int _first, _lastSlot, _target, _slotsDone;
    private long _keys, _bytes, _started, _longestFreezeTicks;
    private MigrationState _state = MigrationState.Idle;
    private string? _error;

    public MigrationCoordinator(RebornCluster cluster) => _cluster = cluster;

    private ILogger Log => _cluster.Logger;

    public MigrationProgress Status
    {
        get
        {
            lock (_gate)
            {
                if (_state != MigrationState.Running) return _last;
                return Snapshot(MigrationState.Running);
            }
        }
    }

    private MigrationProgress Snapshot(MigrationState state) => new(state, _mode, _first, _lastSlot, _target, _slotsDone,
        Interlocked.Read(ref _keys), Interlocked.Read(ref _bytes), Stopwatch.GetElapsedTime(_started),
        TimeSpan.FromTicks(Interlocked.Read(ref _longestFreezeTicks)), _error);

    public Task Completion { get { lock (_gate) return _running; } }

    /// <summary>Starts moving [first, last] to <paramref name="target"/> in the background.</summary>
    public MigrationProgress Start(int first, int last, int target, MigrationMode mode, MigrationOptions options) => Start(first, last, target, mode, options, afterCrash: false);

    /// <summary>
    /// True while the running job resumes a move a crash interrupted: only then can a key be in both
    /// groups (a crash between a move's two writes), and the mover looks in the target first.
    /// </summary>
    private bool _afterCrash;

    private MigrationProgress Start(int first, int last, int target, MigrationMode mode, MigrationOptions options, bool afterCrash)
    {
        if (first < 0 || last >= SlotHash.SlotCount || first > last) throw new RebornException($"ERR invalid slot range {first}-{last}");
        _cluster.Group(target); // throws for an unknown group
        lock (_gate)
        {
            if (_state == MigrationState.Running) throw new RebornException("ERR a migration is already running");
            (_mode, _first, _lastSlot, _target, _slotsDone, _keys, _bytes, _longestFreezeTicks, _error) = (mode, first, last, target, 0, 0, 0, 0, null);
            _started = Stopwatch.GetTimestamp();
            _state = MigrationState.Running;
            _afterCrash = afterCrash;
            _cancel = new CancellationTokenSource();
            var token = _cancel.Token;
            _running = Task.Run(() => RunAsync(first, last, target, mode, options, token));
            return Snapshot(MigrationState.Running);
        }
    }

    public bool Cancel()
    {
        lock (_gate)
        {
            if (_state != MigrationState.Running) return false;
            _cancel?.Cancel();
            return true;
        }
    }

    public async Task StopAsync()
    {
        Cancel();
        try { await Completion.ConfigureAwait(false); } catch (Exception) { }
    }

    private async Task RunAsync(int first, int last, int target, MigrationMode mode, MigrationOptions options, CancellationToken token)
    {
        MigrationState outcome;
        try
        {
            Log.LogInformation("Migration of slots {First}-{Last} to group {Target} ({Mode}) started", first, last, target, mode);
            if (mode == MigrationMode.Key) await MoveKeyByKeyAsync(first, last, target, options, token).ConfigureAwait(false);
            else await MoveBySnapshotAsync(first, last, target, options, token).ConfigureAwait(false);
            outcome = MigrationState.Completed;
            Log.LogInformation("Migration of slots {First}-{Last} to group {Target} completed: {Keys} keys, {Bytes} bytes", first, last, target, _keys, _bytes);
        }
        catch (OperationCanceledException)
        {
            outcome = MigrationState.Cancelled;
            Log.LogWarning("Migration of slots {First}-{Last} to group {Target} cancelled; unfinished slots rolled back to their source", first, last, target);
        }
        catch (Exception error)
        {
            outcome = MigrationState.Failed;
            _error = error.Message;
            Log.LogError(error, "Migration of slots {First}-{Last} to group {Target} failed", first, last, target);
        }
        lock (_gate)
        {
            _last = Snapshot(outcome);
            _state = outcome;
        }
    }

    // ---- key by key ----------------------------------------------------------------------------

    /// <summary>Moves one key of a slot moving key by key, if the source still has it (called by routing).</summary>
    public void MoveKeyNow(int db, int slot, ReadOnlySpan<byte> key, SlotAssignment a)
    {
        var source = _cluster.Group(a.Group).Keyspace;
        int pdb = source.Physical(db);
        // The source of a key-by-key slot never gains keys, so a miss here needs no lock.
        if (!source.HasKey(slot, pdb, key)) return;
        MoveKey(a.Group, a.Target, slot, pdb, key);
    }

    /// <summary>
    /// SET replacing whatever a key holds (no condition, no GET, no KEEPTTL) on a key still in a
    /// key-by-key source: nothing needs copying. Under both gates the new value is written to the
    /// target, with no read (the target has no copy of the key), then the old one leaves the source
    /// (in that order: a GET reading the source, then the target, sees the old value or the new, never
    /// none). The source's metadata is read before the gates, as the mover reads its batches. False
    /// when the key is not in the source (or is a big collection in flight, or the route is stale):
    /// the caller sets it the usual way.
    /// </summary>
    public bool OverwriteNow(int db, int slot, ReadOnlySpan<byte> key, SlotAssignment a, ReadOnlySpan<byte> value, Expiry expiry)
    {
        var source = _cluster.Group(a.Group).Keyspace;
        var target = _cluster.Group(a.Target).Keyspace;
        int pdb = source.Physical(db);
        var read = BeforeRead(source, slot);
        if (source.PeekMeta(slot, pdb, key) is not { } meta) return false;
        if (InFlight(slot, pdb, key)) return false;
        using (EnterForCommand(source, target))
        {
            if (!IsMoving(slot, a.Group, a.Target)) return false;
            if (!StillExact(read, source, slot))
            {
                if (source.PeekMeta(slot, pdb, key) is not { } now) return false;
                meta = now;
            }
            if (InFlight(slot, pdb, key)) return false;
            // A key the source still has is not in the target (see MoveKeys), unless a crash left it in both.
            if (_afterCrash) target.Set(db, key, value, SetCondition.Always, expiry, false);
            else target.SetAbsent(db, key, value, expiry);
            var leaving = key.ToArray();
            AfterTargetWrites(() => source.RemoveMovedKeys(slot, [(pdb, leaving, meta)]));
            return true;
        }
    }

    /// <summary>
    /// Under both gates, after a move's writes to the target: <paramref name="removeFromSource"/> deletes
    /// the moved keys from the source among its pending writes (GroupCommit), so the gates are not held
    /// while RocksDB writes them. The target's writes reach the OS first (a scope open on this thread is
    /// completed for that; outside one they already have): whoever applies the deletes later, and in
    /// whatever order a scope completes the engines, a process kill leaves a key in the target or in both
    /// groups (recovery keeps the target's copy), never in neither.
    /// </summary>
    private static void AfterTargetWrites(Action removeFromSource)
    {
        bool scoped = GroupCommit.Active;
        if (scoped) GroupCommit.Complete();
        GroupCommit.Begin();
        try { removeFromSource(); }
        finally { if (!scoped) GroupCommit.Leave(); } // in a scope, the one this thread completes anyway
    }

    /// <summary>Commands waiting for both gates to move a key first (<see cref="MoveKey"/>, <see cref="OverwriteNow"/>).</summary>
    private int _commandsWaiting;

    /// <summary>
    /// Both gates for a command, lower group first, counted in <see cref="_commandsWaiting"/> while it
    /// waits so that the mover gives way (<see cref="GiveWay"/>).
    /// </summary>
    private BothGates EnterForCommand(Keyspace source, Keyspace target)
    {
        var (lower, higher) = source.GroupOrder(target);
        Interlocked.Increment(ref _commandsWaiting);
        try
        {
            lower.Gate.Enter();
            try { higher.Gate.Enter(); }
            catch { lower.Gate.Exit(); throw; }
        }
        finally
        {
            Interlocked.Decrement(ref _commandsWaiting);
        }
        return new BothGates(lower.Gate, higher.Gate);
    }

    private readonly struct BothGates(Lock lower, Lock higher) : IDisposable
    {
        public void Dispose()
        {
            higher.Exit();
            lower.Exit();
        }
    }

    /// <summary>Collections above this many elements move in chunks, without holding the gates.</summary>
    public const int ChunkedAbove = 4096;

    /// <summary>Keys the background mover moves per hold of both gates (two writes, some 40 µs on RocksDB).</summary>
    private const int KeysPerGateHold = 16;

    /// <summary>
    /// Keys per hold while commands write to the two groups (<see cref="CommandActivity"/>): a command that
    /// arrives during a hold waits for the rest of it, so under load the holds are short. Measured with the
    /// migration benchmark's key phase (4 threads, 20,000 GET/SET a second): with 16 keys per hold SET p99
    /// was 2.6-4.3x its value without a move in 5 runs of 5; with 4 keys, under 1.8x in 9 of 9, and 8 keys
    /// went over 2x again. The shorter holds also let the default share be 64 rather than 128 (see
    /// <see cref="MigrationOptions.GateShare"/>).
    /// </summary>
    private const int KeysPerSharedHold = 4;
    private const int ChunkRecords = 2048;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _movingKeys = new();

    private static string MovingKeyId(int slot, int pdb, ReadOnlySpan<byte> key) => $"{slot}/{pdb}/{Convert.ToBase64String(key)}";

    /// <summary>Whether a big collection of the key is travelling in chunks (<see cref="MoveKey"/>).</summary>
    private bool InFlight(int slot, int pdb, ReadOnlySpan<byte> key) => !_movingKeys.IsEmpty && _movingKeys.ContainsKey(MovingKeyId(slot, pdb, key));

    /// <summary>
    /// What a command's read of a key-by-key source, made before the gates, relies on: while the slot
    /// moves, its source only loses keys, which its removal stamp counts, and a new table may have turned
    /// the move back (a cancelled move's source becomes a target, which gains keys).
    /// </summary>
    private readonly record struct SourceRead(SlotTable Table, long Stamp);

    /// <summary>Taken before reading the source with no gate (as the mover reads its batches, see <see cref="MoveKeys"/>).</summary>
    private SourceRead BeforeRead(Keyspace source, int slot) => new(_cluster.Table, source.RemovalStamp(slot));

    /// <summary>Under both gates: whether a read made after <paramref name="read"/> is still exact.</summary>
    private bool StillExact(SourceRead read, Keyspace source, int slot)
        => ReferenceEquals(_cluster.Table, read.Table) && source.RemovalStamp(slot) == read.Stamp;

    /// <summary>
    /// The background mover's step: a batch of keys moves under one hold of both gates, with one
    /// write to the target (the source's deletes wait among its pending writes, <see cref="AfterTargetWrites"/>,
    /// and reach RocksDB once the gates are free). The keys' records were read before, with no gate
    /// (<see cref="Keyspace.ListSlotRecords"/>): while its slot moves key by key the source never gains
    /// or changes a key, it only loses keys (moved first by a command, or expired and deleted), so a
    /// read is still exact under the gates for every key the source still has. The source's removal
    /// stamp of the slot, <paramref name="stamp"/> as taken before the records were read (or as the
    /// last hold left it, its own removals included), says whether it lost any meanwhile (rarely:
    /// commands touch random slots); only then is each key looked up again under the gates. The hold is
    /// then the target's write, and commands waiting on either gate wait little. Big collections and
    /// keys already in flight fall back to <see cref="MoveKey"/> after the batch. Returns the stamp the
    /// next hold of the batch compares with: as this hold left it, or the old one when it had to look again.
    /// </summary>
    private long MoveKeys(int from, int to, int slot, List<(int Pdb, byte[] Key, byte[] Record)> keys, long stamp, int share)
    {
        var source = _cluster.Group(from).Keyspace;
        var target = _cluster.Group(to).Keyspace;
        var (lower, higher) = source.GroupOrder(target);
        var later = new List<(int Pdb, byte[] Key)>();
        // Export null: the key only leaves the source (expired; or a crash left it in both groups, and the target's is live).
        var reads = new List<(int Pdb, byte[] Key, Metadata Meta, KeyExport? Export)>(keys.Count);
        foreach (var (pdb, key, record) in keys)
        {
            if (InFlight(slot, pdb, key)) { later.Add((pdb, key)); continue; }
            // Only a crash between a move's two writes leaves a key in both groups (the target's copy is live).
            if (_afterCrash && target.HasKey(slot, pdb, key))
            {
                reads.Add((pdb, key, Metadata.Decode(record), null));
                continue;
            }
            source.ReadForMove(slot, pdb, key, record, ChunkedAbove, out var meta, out var export, out bool big);
            if (big) later.Add((pdb, key));
            else reads.Add((pdb, key, meta, export));
        }
        var exports = new List<KeyExport>(reads.Count);
        var leaving = new List<(int Pdb, byte[] Key, Metadata Meta)>(reads.Count);
        GiveWay();
        long writes, held;
        lock (lower.Gate)
        lock (higher.Gate)
        {
            held = Stopwatch.GetTimestamp();
            writes = source.Engine.WriteCount + target.Engine.WriteCount;
            long bytes = 0;
            bool recheck = source.RemovalStamp(slot) != stamp;
            foreach (var (pdb, key, meta, export) in reads)
            {
                // Gone meanwhile: a command moved it (the target's copy is live) or it expired.
                if (recheck && !source.HasKey(slot, pdb, key)) continue;
                leaving.Add((pdb, key, meta));
                if (export is null) continue;
                exports.Add(export);
                bytes += export.Bytes;
            }
            // A key the source still has is not in the target: only a move puts it there, and a move
            // deletes it from the source under these gates (crash leftovers were found above).
            target.ImportKeys(exports, absent: true);
            AfterTargetWrites(() => source.RemoveMovedKeys(slot, leaving));
            Interlocked.Add(ref _keys, exports.Count);
            Interlocked.Add(ref _bytes, bytes);
            // With nothing removed since the records were read, this hold's own removals are the only change:
            // the rest of the batch is still exact while the stamp holds. After a removal by anyone else the
            // old stamp stays, so every later hold of the batch looks again: the removed key may be among them.
            if (!recheck) stamp = source.RemovalStamp(slot);
            held = Stopwatch.GetTimestamp() - held;
        }
        // The source's deletes, pending since the hold, reach RocksDB now, with the gates free.
        GroupCommit.Complete();
        ShareGates(writes, source.Engine.WriteCount + target.Engine.WriteCount, held, share);
        foreach (var (pdb, key) in later) MoveKey(from, to, slot, pdb, key);
        return stamp;
    }

    /// <summary>
    /// While commands write to either group, a snapshot copy's batches take at most one part in this many
    /// of the time (<see cref="CopyRecords"/>). They hold no gate a command wants, only a core, so they
    /// need no shorter steps than a key-by-key move's holds (<see cref="MigrationOptions.GateShare"/>).
    /// With the bulk load a batch does twice the work it did in its time: at one part in 8 the copy went
    /// 230-300k keys/s under the benchmark's load and SET p99 reached 1.91x its value without a move in
    /// 8 runs; at one part in 16, 100-145k keys/s (the old pace) and at most 1.21x.
    /// </summary>
    private const int CopyShare = 16;

    /// <summary>Whether commands write to the groups the key mover joins: after a write, for the next 20 ms.</summary>
    private readonly CommandActivity _commands = new(Stopwatch.Frequency / 50);

    /// <summary>A hold longer than this (the mover preempted, a collection) counts as this long when sharing.</summary>
    private static readonly long LongestCountedHold = Stopwatch.Frequency / 1000;

    /// <summary>
    /// After a hold of both gates that began with <paramref name="before"/> writes counted on the two
    /// groups and ended with <paramref name="after"/>, lasting <paramref name="heldTicks"/>: while
    /// commands write to either group (<see cref="CommandActivity"/>), waits until the hold is one part
    /// in <paramref name="share"/> of the time since it began. The mover runs at idle priority, so
    /// spinning here takes no CPU a command wants. Otherwise it only yields: the gates are not fair, and
    /// a command woken from waiting for them needs a CPU before the mover, which never sleeps, takes them again.
    /// </summary>
    private void ShareGates(long before, long after, long heldTicks, int share)
    {
        long now = Stopwatch.GetTimestamp();
        if (!_commands.AfterHold(before, after, now) || share <= 1)
        {
            Thread.Yield();
            return;
        }
        long until = now + Math.Min(heldTicks, LongestCountedHold) * (share - 1);
        while (Stopwatch.GetTimestamp() < until) Thread.Yield();
    }

    /// <summary>
    /// Lets commands waiting to move a key take the gates before the mover's next hold. The gates are
    /// not fair: a woken waiter needs a CPU, and by then the mover, which never sleeps, has taken them
    /// again; on a busy machine a command could wait milliseconds. Bounded, so the mover always moves on.
    /// </summary>
    private void GiveWay()
    {
        if (Volatile.Read(ref _commandsWaiting) == 0) return;
        long until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000;
        while (Volatile.Read(ref _commandsWaiting) > 0 && Stopwatch.GetTimestamp() < until) Thread.Yield();
    }

    private void MoveKey(int from, int to, int slot, int pdb, ReadOnlySpan<byte> key)
    {
        var source = _cluster.Group(from).Keyspace;
        var target = _cluster.Group(to).Keyspace;
        string id = MovingKeyId(slot, pdb, key);
        if (_movingKeys.TryGetValue(id, out var inFlight)) { inFlight.Task.Wait(); return; }
        var userKey = key.ToArray();
        var read = BeforeRead(source, slot);
        bool both = target.HasKey(slot, pdb, userKey);
        if (!source.ReadForMove(slot, pdb, userKey, ChunkedAbove, out var meta, out var export, out bool isBig)) return;
        Metadata big;
        TaskCompletionSource mine;
        WatchSet watch;
        using (EnterForCommand(source, target))
        {
            if (_movingKeys.TryGetValue(id, out inFlight)) { /* waited for below */ }
            else if (!IsMoving(slot, from, to)) return; // a stale route: the move finished or turned back, and the command re-routes
            else
            {
                if (!StillExact(read, source, slot))
                {
                    both = target.HasKey(slot, pdb, userKey);
                    if (!source.ReadForMove(slot, pdb, userKey, ChunkedAbove, out meta, out export, out isBig)) return;
                }
                // Only a crash between copy and delete leaves both: the target's copy is the live one.
                if (both || !isBig)
                {
                    if (!both && export is not null)
                    {
                        target.ImportKeys([export], absent: true);
                        Interlocked.Increment(ref _keys);
                        Interlocked.Add(ref _bytes, export.Bytes);
                    }
                    AfterTargetWrites(() => source.RemoveMovedKeys(slot, [(pdb, userKey, meta)]));
                    return;
                }
                big = meta;
                mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _movingKeys[id] = mine;
                watch = new WatchSet();
                source.Watches.Add(pdb, userKey, watch); // under the gate: no write can fall before it
                goto Chunked;
            }
        }
        inFlight!.Task.Wait();
        return;

    Chunked:
        // A big collection travels in chunks with no gate held. Normally nothing writes it meanwhile
        // (its source no longer serves the slot, and commands touching it wait for this move), but a
        // cancelled migration reverses the slot's direction and the old source serves it again. So a
        // watch on the key and the slot's state decide, under the gates, whether the copy is still the
        // key's value: if not, the copy is discarded and made again (after three tries, under the gates).
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                ulong version = target.NextVersion();
                long bytes = 0;
                foreach (var chunk in source.ReadElementChunks(slot, pdb, userKey, big.Version, ChunkRecords))
                {
                    target.WriteRecordsAsVersion(chunk, userKey.Length, version);
                    bytes += chunk.Sum(r => (long)r.Key.Length + r.Value.Length);
                }
                using (EnterForCommand(source, target))
                {
                    bool sameMove = IsMoving(slot, from, to);
                    var now = source.PeekMeta(slot, pdb, userKey);
                    if (sameMove && !watch.IsDirty && now is { } m && m.Version == big.Version && !m.IsExpired(source.NowMs))
                    {
                        target.ImportMetaAsVersion(slot, pdb, userKey, m, version);
                        source.RemoveMovedKey(slot, pdb, userKey);
                        Interlocked.Increment(ref _keys);
                        Interlocked.Add(ref _bytes, bytes);
                        return;
                    }
                    // The copy never becomes visible.
                    target.DiscardVersion(slot, pdb, userKey, version, big.Type);
                    if (!sameMove || now is null) return; // the move changed direction or the key is gone: not ours to move
                    if (now.Value.IsExpired(source.NowMs)) { source.RemoveMovedKey(slot, pdb, userKey); return; }
                    if (attempt >= 3)
                    {
                        var live = source.ExportLiveKey(slot, pdb, userKey);
                        if (live is null) return;
                        target.ImportKeys([live]);
                        source.RemoveMovedKey(slot, pdb, userKey);
                        Interlocked.Increment(ref _keys);
                        Interlocked.Add(ref _bytes, live.Bytes);
                        return;
                    }
                    // It changed while travelling: watch afresh and copy again.
                    source.Watches.Remove(watch);
                    watch = new WatchSet();
                    source.Watches.Add(pdb, userKey, watch);
                    big = now.Value;
                }
            }
        }
        finally
        {
            source.Watches.Remove(watch);
            _movingKeys.TryRemove(id, out _);
            mine.TrySetResult();
        }
    }

    /// <summary>
    /// Whether the slot moves key by key from <paramref name="from"/> to <paramref name="to"/>. Stable
    /// while the caller holds both groups' gates: a table changing the slot's move is installed under
    /// the gate of at least one of them.
    /// </summary>
    private bool IsMoving(int slot, int from, int to)
    {
        var a = _cluster.Table[slot];
        return a.State == SlotState.MigratingKeys && a.Group == from && a.Target == to;
    }

    private async Task MoveKeyByKeyAsync(int first, int last, int target, MigrationOptions options, CancellationToken token)
    {
        var slots = Enumerable.Range(first, last - first + 1).Where(s => _cluster.Table[s].ServingGroup != target || _cluster.Table[s].IsMigrating).ToList();
        // Every router sees the migrating state before any key moves.
        _cluster.ChangeTable(t => t.With(slots.Select(s => (s, t[s].State == SlotState.MigratingKeys
            ? t[s] : new SlotAssignment(t[s].Group, SlotState.MigratingKeys, target)))));
        var pacer = new Pacer(options);
        var drained = new List<int>();
        long finished = Stopwatch.GetTimestamp();
        try
        {
            // The mover runs on a low-priority thread: it never sleeps, and commands must not wait for a core behind it.
            await BackgroundThreads.Run("reborn-key-mover", () =>
            {
                foreach (int slot in slots)
                {
                    DrainSlot(slot, pacer, token);
                    Interlocked.Increment(ref _slotsDone);
                    drained.Add(slot);
                    if (drained.Count < SlotsPerFinish && Stopwatch.GetElapsedTime(finished) < FinishEvery) continue;
                    FinishSlots(drained);
                    finished = Stopwatch.GetTimestamp();
                }
                FinishSlots(drained);
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            FinishSlots(drained); // their keys are all on the target
            // Unfinished slots go back: the keys already moved return to the source, key by key.
            var unfinished = slots.Where(s => _cluster.Table[s].State == SlotState.MigratingKeys).ToList();
            _cluster.ChangeTable(t => t.With(unfinished.Select(s => (s, new SlotAssignment(t[s].Target, SlotState.MigratingKeys, t[s].Group)))));
            await BackgroundThreads.Run("reborn-key-mover", () =>
            {
                foreach (int slot in unfinished)
                {
                    DrainSlot(slot, new Pacer(new MigrationOptions { GateShare = options.GateShare }), CancellationToken.None);
                    FinishSlots([slot]);
                }
            }).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Drained slots become stable on their target this many at a time, or after this long: each
    /// table change is a synced catalog write, too slow to make ~100 times a second. A drained slot
    /// waiting here is served correctly (its source has no key left), and after a crash it resumes and
    /// finishes at once.
    /// </summary>
    private const int SlotsPerFinish = 64;
    private static readonly TimeSpan FinishEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>Makes drained key-by-key slots stable on their target and drops what is left of them in their source; empties the list.</summary>
    private void FinishSlots(List<int> drained)
    {
        if (drained.Count == 0) return;
        var sources = drained.GroupBy(s => _cluster.Table[s].Group).ToList();
        _cluster.ChangeTable(t => t.With(drained.Select(s => (s, new SlotAssignment(t[s].Target)))));
        foreach (var part in sources) _cluster.Group(part.Key).Keyspace.DropSlots(part);
        drained.Clear();
    }

    /// <summary>
    /// Moves every key of a key-by-key slot from its source (<see cref="FinishSlots"/> then makes it
    /// stable on the target). On the mover's own thread: pacing blocks it, and nobody else.
    /// </summary>
    private void DrainSlot(int slot, Pacer pacer, CancellationToken token)
    {
        var a = _cluster.Table[slot];
        var source = _cluster.Group(a.Group).Keyspace;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            // Taken before the records are read: a removal after it (a command moved a key) shows at the first hold.
            long stamp = source.RemovalStamp(slot);
            var keys = source.ListSlotRecords(slot, pacer.BatchKeys);
            if (keys.Count == 0) break;
            long before = Interlocked.Read(ref _bytes);
            // Short holds of the gates keep foreground latency low while the mover runs; shorter while commands write.
            for (int i = 0; i < keys.Count;)
            {
                int count = Math.Min(_commands.Writing(Stopwatch.GetTimestamp()) ? KeysPerSharedHold : KeysPerGateHold, keys.Count - i);
                stamp = MoveKeys(a.Group, a.Target, slot, keys.GetRange(i, count), stamp, pacer.GateShare);
                i += count;
            }
            pacer.PaceAsync(keys.Count, Interlocked.Read(ref _bytes) - before, token).GetAwaiter().GetResult();
        }
    }

    // ---- snapshot -------------------------------------------------------------------------------

    private async Task MoveBySnapshotAsync(int first, int last, int target, MigrationOptions options, CancellationToken token)
    {
        var pacer = new Pacer(options);
        // One pass per source group: a range may span several owners.
        var bySource = Enumerable.Range(first, last - first + 1)
            .Where(s => _cluster.Table[s].ServingGroup != target)
            .GroupBy(s => _cluster.Table[s].ServingGroup)
            .ToList();
        foreach (var part in bySource)
        {
            await CopySlotsAsync(part.Key, target, part.ToList(), pacer, options, token).ConfigureAwait(false);
            Interlocked.Add(ref _slotsDone, part.Count());
        }
    }

    private async Task CopySlotsAsync(int from, int to, List<int> slots, Pacer pacer, MigrationOptions options, CancellationToken token)
    {
        var source = _cluster.Group(from).Keyspace;
        var target = _cluster.Group(to).Keyspace;
        var mask = new bool[SlotHash.SlotCount];
        foreach (int slot in slots) mask[slot] = true;
        _cluster.ChangeTable(t => t.With(slots.Select(s => (s, new SlotAssignment(from, SlotState.MigratingSnapshot, to)))));
        var journal = source.StartJournal(mask); // before the snapshot: every later write is journaled
        try
        {
            // The target holds no record of these slots, and no garbage entry naming them, before the copy.
            target.DropSlots(slots);
            var counters = new SlotCounters();
            using (var snapshot = source.Engine.CreateSnapshot())
            {
                // A throttled copy writes BatchKeys keys at a time so its pacing stays smooth.
                long maxKeys = options.MaxKeysPerSecond > 0 || options.MaxBytesPerSecond > 0 ? options.BatchKeys : long.MaxValue;
                // Off the foreground's cores when it wants them: the copy runs on low-priority threads.
                await BackgroundThreads.Run("reborn-snapshot-copy", () => CopyRecords(snapshot, source, target, slots, counters, maxKeys, pacer, token), idle: false).ConfigureAwait(false);
                // After the records: a sweep of a copied entry must find its records already here.
                target.CopyGarbage(snapshot, mask);
            }
            target.AdoptSlotCounters(slots, counters); // before the replay, whose imports adjust the counts
            // Replay what changed meanwhile until the gap is small, on a low-priority thread as the copy.
            await BackgroundThreads.Run("reborn-snapshot-replay", () =>
            {
                for (int round = 0; round < 50 && journal.Count > options.FreezeBelowKeys; round++)
                {
                    token.ThrowIfCancellationRequested();
                    ReplayFromSnapshot(source, target, journal.Drain());
                }
            }).ConfigureAwait(false);
            token.ThrowIfCancellationRequested();
            // The freeze: writes to these slots wait on the gates, then find the new owner and succeed.
            var (lower, higher) = from < to ? (source, target) : (target, source);
            long frozen = Stopwatch.GetTimestamp();
            lock (_cluster.TopologyGate) // before the gates: installing the table takes them too
            lock (lower.Gate)
            lock (higher.Gate)
            {
                Replay(source, target, journal.Drain());
                // The table's fsync waits until after the freeze, unless writes are each synced (Always):
                // then a write the target acknowledges must not outlive a table a machine crash could undo.
                _cluster.ChangeTable(t => t.With(slots.Select(s => (s, new SlotAssignment(to)))), flush: _cluster.Durability == Durability.Always);
                source.StopJournal();
            }
            long freezeTicks = Stopwatch.GetElapsedTime(frozen).Ticks;
            // The copy reaches the target's disk before the table naming the target reaches the home
            // group's, and both before the source drops its records: without this, with EverySecond a
            // machine crash could keep the new table and the drop but lose the copy, a whole slot.
            target.Engine.Flush();
            _cluster.FlushCatalog();
            if (freezeTicks > Interlocked.Read(ref _longestFreezeTicks)) Interlocked.Exchange(ref _longestFreezeTicks, freezeTicks);
            Log.LogInformation("Snapshot switch of {Count} slots to group {Target}: writes frozen {Ms:F1} ms", slots.Count, to, TimeSpan.FromTicks(freezeTicks).TotalMilliseconds);
            source.DropSlots(slots);
        }
        catch (Exception)
        {
            source.StopJournal();
            if (slots.Any(s => _cluster.Table[s].State == SlotState.MigratingSnapshot))
            {
                _cluster.ChangeTable(t => t.With(slots.Select(s => (s, new SlotAssignment(from)))));
                target.DropSlots(slots);
            }
            throw;
        }
    }

    /// <summary>
    /// The raw copy of a snapshot move, on a low-priority thread (<see cref="BackgroundThreads"/>): every
    /// record of the slots goes across verbatim, a contiguous run of slots at a time, into a bulk load
    /// of the target (<see cref="IStorageEngine.CreateBulkLoad"/>: RocksDB builds SST files and ingests
    /// them), committed at the end of each run so a file never spans slots between runs, which the
    /// target may hold. Reading the next records overlaps loading the last, on a second low-priority
    /// thread. Takes no keyspace gate: the target neither serves these slots nor holds garbage entries
    /// naming them meanwhile (<see cref="Keyspace.DropSlots"/> ran first, <see cref="Keyspace.CopyGarbage"/>
    /// runs after). A throttled copy reads BatchKeys keys at a time so its pacing stays smooth.
    /// While commands write to either group, the copy gives way: BatchKeys keys at a time, read then
    /// loaded, each batch followed by a pause that keeps it to one part in <see cref="CopyShare"/> of the
    /// time. At full speed it keeps both cores of a small machine busy, and a command then waited
    /// milliseconds for a core or the disk.
    /// </summary>
    private void CopyRecords(IStorageSnapshot snapshot, Keyspace source, Keyspace target, List<int> slots, SlotCounters counters, long maxKeys, Pacer pacer, CancellationToken token)
    {
        using var load = target.Engine.CreateBulkLoad();
        const int capacity = (int)CopyBatchBytes + (64 << 10); // a batch's records and the last one's overshoot: the usual record fits without growing
        var (reading, spare) = (new CopiedRecords(capacity), new CopiedRecords(capacity));
        Task loading = Task.CompletedTask;
        long commandWrites = -1;
        bool giveWay = false;
        try
        {
            foreach (var (runFirst, runLast) in Runs(slots))
            {
                var end = KeyEncoding.SlotRange(runLast).End;
                for (byte[]? at = KeyEncoding.SlotRange(runFirst).Start; at is not null;)
                {
                    token.ThrowIfCancellationRequested();
                    long started = Stopwatch.GetTimestamp();
                    var (keys, bytes, next) = reading.Read(snapshot, at, end, CopyBatchBytes, giveWay ? pacer.BatchKeys : maxKeys, counters);
                    at = next;
                    loading.GetAwaiter().GetResult();
                    var records = reading; // the load below owns these until it is awaited; the next read fills the spare
                    (reading, spare) = (spare, reading);
                    // With the load idle, any write counted but its commits is a command's.
                    long writes = source.Engine.WriteCount + target.Engine.WriteCount - load.Commits;
                    giveWay = commandWrites >= 0 && writes != commandWrites;
                    commandWrites = writes;
                    if (giveWay) records.PutInto(load);
                    else loading = BackgroundThreads.Run("reborn-snapshot-load", () => records.PutInto(load), idle: false);
                    Interlocked.Add(ref _keys, keys);
                    Interlocked.Add(ref _bytes, bytes);
                    if (giveWay) Thread.Sleep(TimeSpan.FromTicks(Stopwatch.GetElapsedTime(started).Ticks * (CopyShare - 1)));
                    pacer.PaceAsync(keys, bytes, token).GetAwaiter().GetResult(); // a thread of its own: waiting blocks nobody
                }

                loading.GetAwaiter().GetResult();
                load.Commit();
            }
        }
        finally
        {
            loading.GetAwaiter().GetResult(); // a rollback must not drop the slots under a load still running
        }
    }

    /// <summary>Bytes of records a snapshot copy reads at a time, to load while it reads the next.</summary>
    private const long CopyBatchBytes = 4 << 20;

    /// <summary>The ascending slots as runs of consecutive slots: each run is one contiguous key range.</summary>
    private static IEnumerable<(int First, int Last)> Runs(List<int> slots)
    {
        var sorted = slots.Order().ToList();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            yield return (sorted[i], sorted[j]);
            i = j + 1;
        }
    }

    /// <summary>
    /// Before the freeze: copies the state of journaled keys (or their absence) to the target, read from
    /// a snapshot of the source, so the source's gate is held only to take the snapshot and its writers
    /// never wait on the target's engine (which may be stalled digesting the copy). Taken under the gate,
    /// the snapshot holds every write journaled before the drain (a write journals its keys and commits
    /// under the gate); a write after it is journaled again and replayed by a later round or the freeze.
    /// The target's gate is held per chunk: it serves other slots.
    /// </summary>
    private void ReplayFromSnapshot(Keyspace source, Keyspace target, List<(int Pdb, byte[] Key)> keys)
    {
        IStorageSnapshot snapshot;
        lock (source.Gate) snapshot = source.Engine.CreateSnapshot();
        using (snapshot)
        {
            var exports = new List<KeyExport>(ReplayChunkKeys);
            var absent = new List<(int Slot, int Pdb, byte[] Key)>();
            for (int at = 0; at < keys.Count; at += ReplayChunkKeys)
            {
                exports.Clear();
                absent.Clear();
                long now = source.NowMs;
                for (int i = at; i < Math.Min(at + ReplayChunkKeys, keys.Count); i++)
                {
                    var (pdb, key) = keys[i];
                    int slot = SlotHash.GetSlot(key);
                    if (source.ExportKey(snapshot, slot, pdb, key, now) is { } export) exports.Add(export);
                    else absent.Add((slot, pdb, key));
                }
                target.Prefetch(exports, absent);
                lock (target.Gate)
                {
                    foreach (var (slot, pdb, key) in absent) target.RemoveMovedKey(slot, pdb, key);
                    // The journal holds each key once, so the chunk's imports can share one batch.
                    if (exports.Count > 0) target.ImportKeys(exports);
                }
                foreach (var export in exports) Interlocked.Add(ref _bytes, export.Bytes);
            }
        }
    }

    /// <summary>The freeze's replay: the current state of journaled keys (or their absence), under both gates, which the caller holds.</summary>
    private void Replay(Keyspace source, Keyspace target, List<(int Pdb, byte[] Key)> keys)
    {
        var exports = new List<KeyExport>(keys.Count);
        foreach (var (pdb, key) in keys)
        {
            int slot = SlotHash.GetSlot(key);
            var export = source.ExportKey(source.Engine, slot, pdb, key, source.NowMs);
            if (export is null) target.RemoveMovedKey(slot, pdb, key);
            else exports.Add(export);
        }
        // The journal holds each key once, so the imports can share one batch.
        if (exports.Count > 0) target.ImportKeys(exports);
        foreach (var export in exports) Interlocked.Add(ref _bytes, export.Bytes);
    }

    /// <summary>Journaled keys replayed per hold of the target's gate before the freeze.</summary>
    private const int ReplayChunkKeys = 256;

    // ---- recovery ------------------------------------------------------------------------------

    /// <summary>
    /// At open: a snapshot copy a crash interrupted rolls back (its partial copy is dropped); a
    /// key-by-key move resumes in the background; records of slots a group does not hold (a crash
    /// after a switch, before the source was cleaned) are dropped. Each says so in the log.
    /// </summary>
    public void Recover()
    {
        var table = _cluster.Table;
        var snapshotSlots = Enumerable.Range(0, SlotHash.SlotCount).Where(s => table[s].State == SlotState.MigratingSnapshot).ToList();
        if (snapshotSlots.Count > 0)
        {
            foreach (var part in snapshotSlots.GroupBy(s => table[s].Target))
                _cluster.Group(part.Key).Keyspace.DropSlots(part);
            _cluster.ChangeTable(t => t.With(snapshotSlots.Select(s => (s, new SlotAssignment(t[s].Group)))));
            Log.LogWarning("Recovery: rolled back the interrupted snapshot migration of {Count} slots (first {First})", snapshotSlots.Count, snapshotSlots[0]);
        }
        foreach (var group in _cluster.Groups)
        {
            var foreign = Enumerable.Range(0, SlotHash.SlotCount).Where(s => !group.Keyspace.Holds(s) && group.Keyspace.HasRecords(s)).ToList();
            if (foreign.Count == 0) continue;
            group.Keyspace.DropSlots(foreign);
            Log.LogWarning("Recovery: group {Group} dropped leftover records of {Count} slots it does not own", group.Id, foreign.Count);
        }
        var keySlots = Enumerable.Range(0, SlotHash.SlotCount).Where(s => _cluster.Table[s].State == SlotState.MigratingKeys).ToList();
        if (keySlots.Count > 0)
        {
            int target = _cluster.Table[keySlots[0]].Target;
            Log.LogWarning("Recovery: resuming the key-by-key migration of {Count} slots to group {Target}", keySlots.Count, target);
            Start(keySlots.Min(), keySlots.Max(), target, MigrationMode.Key, new MigrationOptions(), afterCrash: true);
        }
    }

    /// <summary>Spreads work over time so a migration stays under its key and byte rates.</summary>
    private sealed class Pacer(MigrationOptions options)
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private long _keys, _bytes;

        public int BatchKeys => options.BatchKeys;

        public int GateShare => options.GateShare;

        public async Task PaceAsync(long keys, long bytes, CancellationToken token)
        {
            _keys += keys;
            _bytes += bytes;
            double due = 0;
            if (options.MaxKeysPerSecond > 0) due = Math.Max(due, (double)_keys / options.MaxKeysPerSecond);
            if (options.MaxBytesPerSecond > 0) due = Math.Max(due, (double)_bytes / options.MaxBytesPerSecond);
            // Until the time is really due: a timer may fire a little early, and a fast next batch would overrun the rate.
            for (var wait = TimeSpan.FromSeconds(due) - Stopwatch.GetElapsedTime(_started); wait > TimeSpan.Zero; wait = TimeSpan.FromSeconds(due) - Stopwatch.GetElapsedTime(_started))
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, token).ConfigureAwait(false);
        }
    }
}

