/* A whole 32-bit program, without a C library (built -m32 -nostdlib
 * -static): the kernel runs it in 32 bit mode from its first call. Then
 * calls whose structs i386 lays out its own way (32-bit times, stat64,
 * its sigaction, 32-bit rlimits, flock64, iovecs), mmap2 and _llseek, and calls
 * with 64-bit times (clock_getres_time64, futex_time64). */
static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
    long ret;
    /* The sixth argument goes in ebp, which the compiler may not name:
     * ebx brings both it and the first, and is changed (an output too). */
    long args[2] = { a, f };
    long *both = args;
    __asm__ volatile("push %%ebp\n\t"
                     "mov 4(%%ebx), %%ebp\n\t"
                     "mov (%%ebx), %%ebx\n\t"
                     "int $0x80\n\t"
                     "pop %%ebp"
                     : "=a"(ret), "+b"(both)
                     : "a"(nr), "c"(b), "d"(c), "S"(d), "D"(e)
                     : "memory");
    return ret;
}

#define sys4(nr, a, b, c, d) sys6(nr, a, b, c, d, 0, 0)
#define sys3(nr, a, b, c) sys6(nr, a, b, c, 0, 0, 0)

struct timespec32 { int tv_sec, tv_nsec; };
struct sigaction32 { unsigned handler, flags, restorer; unsigned mask[2]; };
struct flock64 { short type, whence; long long start, len; int pid; } __attribute__((packed));

void _start(void)
{
    static const char msg[] = "a 32-bit program\n";
    static char stat64[96];
    static struct timespec32 ts = { 0, 1000 }, res;
    static long long ts64[2] = { 0, 1000 }, res64[2];
    static int word;
    /* entry -1 (any), base 0, limit 0xfffff, seg_32bit, limit_in_pages, useable */
    static unsigned tls[4] = { 0xffffffff, 0, 0xfffff, 1 | 1 << 4 | 1 << 6 };
    static char one[1], four[4];
    static unsigned in[4] = { (unsigned)one, 1, (unsigned)four, 4 };
    static unsigned outv[4] = { (unsigned)"vec", 3, (unsigned)"tors\n", 5 };
    static struct sigaction32 act = { 1, 0, 0, { 1 << 1, 0 } }, old;
    static unsigned rlim[2];
    static unsigned long long offset;
    static struct flock64 lock = { 0, 0, 0, 1, 0 }, probe = { 1, 0, 0, 1, 0 };
    sys3(4, 1, (long)msg, sizeof msg - 1);           /* write */
    sys3(45, 0, 0, 0);                               /* brk(NULL) */
    sys3(162, (long)&ts, 0, 0);                      /* nanosleep */
    sys3(266, 1, (long)&res, 0);                     /* clock_getres(CLOCK_MONOTONIC) */
    sys3(406, 1, (long)res64, 0);                    /* clock_getres_time64 */
    sys4(240, (long)&word, 0, 1, (long)&ts);         /* futex(FUTEX_WAIT): EAGAIN */
    sys4(422, (long)&word, 0, 1, (long)ts64);        /* futex_time64: EAGAIN */
    sys3(195, (long)"/etc/hostname", (long)stat64, 0); /* stat64 */
    long fd = sys3(5, (long)"/etc/hostname", 0, 0);  /* open */
    sys3(197, fd, (long)stat64, 0);                  /* fstat64 */
    /* mmap2(0x20000000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 0) */
    sys6(192, 0x20000000, 4096, 1, 0x12, fd, 0);
    sys6(140, fd, 0, 1, (long)&offset, 0, 0);        /* _llseek(fd, 1, SEEK_SET) */
    sys3(221, fd, 1, 0);                             /* fcntl64(fd, F_GETFD) */
    sys3(145, fd, (long)in, 2);                      /* readv: 8-byte iovecs */
    sys3(146, 1, (long)outv, 2);                     /* writev */
    sys3(221, fd, 13, (long)&lock);                  /* F_SETLK64, F_RDLCK */
    sys3(221, fd, 12, (long)&probe);                 /* F_GETLK64, F_WRLCK */
    sys4(174, 10, (long)&act, (long)&old, 8);        /* rt_sigaction(SIGUSR1) */
    sys3(191, 7, (long)rlim, 0);                     /* ugetrlimit(RLIMIT_NOFILE) */
    sys3(243, (long)tls, 0, 0);                      /* set_thread_area */
    sys3(252, 3, 0, 0);                              /* exit_group(3) */
    for (;;)
        ;
}
