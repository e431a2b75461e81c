/* Calls made through the 32-bit ABI (int $0x80) by a 64-bit program, then
 * one through the 64-bit ABI again. Built -no-pie: the addresses it passes
 * must fit in 32 bits. */
#include <unistd.h>

static long int80(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

/* In static storage, below 4 GiB. */
static const char hello[] = "hello from int 0x80\n";
static char name[6 * 65];

int main(void)
{
    int80(4, 1, (long)hello, sizeof hello - 1);     /* write */
    int80(20, 0, 0, 0);                             /* getpid */
    long fd = int80(5, (long)"/etc/hostname", 0, 0); /* open, O_RDONLY */
    int80(6, fd, 0, 0);                             /* close */
    int80(33, (long)"/nonexistent", 0, 0);          /* access, F_OK: ENOENT */
    int80(122, (long)name, 0, 0);                   /* uname */
    int80(6, 999, 0, 0);                            /* close: EBADF */
    write(1, "back in 64 bit\n", 15);
    return 0;
}
