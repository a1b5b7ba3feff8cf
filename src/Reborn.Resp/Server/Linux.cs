using System.Runtime.InteropServices;

namespace Reborn.Resp.Server;

/// <summary>
/// The few Linux calls the event loop makes (epoll, eventfd, recv, send), straight to libc.
/// epoll_event is packed on x86-64 (12 bytes: events at 0, data at 4) and naturally aligned
/// elsewhere (16 bytes: data at 8); <see cref="EventSize"/> and <see cref="DataOffset"/> say which.
/// </summary>
internal static unsafe partial class Linux
{
    public const int EAGAIN = 11, EINTR = 4;
    public const uint EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000;
    public const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public const int EPOLL_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    public const int MSG_NOSIGNAL = 0x4000;

    public static bool Supported => OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public static int EventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static int DataOffset => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static uint EventsOf(byte* ev) => *(uint*)ev;

    public static long DataOf(byte* ev) => *(long*)(ev + DataOffset); // unaligned reads are fine on both

    /// <summary>epoll_ctl with one event word and a 64-bit token.</summary>
    public static int Control(int epoll, int op, int fd, uint events, long data)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(long*)(ev + DataOffset) = data;
        return epoll_ctl(epoll, op, fd, ev);
    }

    public static int LastError => Marshal.GetLastPInvokeError();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epfd, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int eventfd(uint initial, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);
}
