/* Makes every x86_64 syscall number once, with zero arguments, through a raw
 * `syscall` instruction and without libc (nothing else runs), then exits. Only
 * run it under `strace -e inject=...`, which keeps each call from running
 * (if exit_group is kept from running too, it ends by SIGSEGV):
 * the strace_options test reads strace's trace classes off it this way. */
static long raw_syscall(long nr) {
    long ret;
    register long r10 asm("r10") = 0, r8 asm("r8") = 0, r9 asm("r9") = 0;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(nr), "D"(0L), "S"(0L), "d"(0L), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return ret;
}

void _start(void) {
    for (long nr = 0; nr < 470; nr++) {
        /* exit and exit_group end the loop; 335..423 are unassigned on
         * x86_64 (335 is uretprobe, which raises SIGILL). */
        if (nr == 60 || nr == 231 || (nr >= 335 && nr < 424))
            continue;
        raw_syscall(nr);
    }
    raw_syscall(231);
    /* exit_group was injected too (strace -e inject=%process): crash out. */
    *(volatile int *)0 = 0;
}
