/* Makes a getppid call three functions deep (outer -> middle -> inner)
 * through its own syscall instruction, no libc frame in between, built with
 * frame pointers: `record --stack=fp` sees the whole chain, and `show -k`
 * names each function. Exits at once, so its mappings must come from its
 * exec, not from /proc. */

__attribute__((noinline)) long inner(void) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(110L) : "rcx", "r11", "memory");
    return ret;
}

__attribute__((noinline)) long middle(void) { return inner() + 1; }

__attribute__((noinline)) long outer(void) { return middle() + 1; }

int main(void) { return outer() > 0 ? 0 : 1; }
