/* A whole 32-bit program, without a C library (built -m32 -nostdlib
 * -static): the kernel runs it in 32 bit mode from its first call. */
static long sys3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

void _start(void)
{
    static const char msg[] = "a 32-bit program\n";
    sys3(4, 1, (long)msg, sizeof msg - 1); /* write */
    sys3(45, 0, 0, 0);                     /* brk(NULL) */
    sys3(252, 3, 0, 0);                    /* exit_group(3) */
    for (;;)
        ;
}
