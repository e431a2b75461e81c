/* Usage: fileio DIR. Opens DIR/a.txt three ways - libc open() (openat on
 * glibc), syscall(SYS_open) and a raw x86_64 `syscall` instruction (both plain
 * open) - writes 13 bytes through the first, reads them back through the other
 * two, and fails one open of DIR/missing.txt with ENOENT: checks that the
 * tracer sees syscalls however they are issued, with paths, fds and data. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *what) {
    perror(what);
    exit(1);
}

/* open(path, flags) without libc: the syscall instruction itself. */
static long raw_open(const char *path, long flags) {
#if defined(__x86_64__)
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"((long)SYS_open), "D"(path), "S"(flags), "d"(0L)
                     : "rcx", "r11", "memory");
    if (ret < 0) {
        errno = (int)-ret;
        return -1;
    }
    return ret;
#else
    return syscall(SYS_open, path, flags);
#endif
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    char path[4096], missing[4096];
    snprintf(path, sizeof path, "%s/a.txt", argv[1]);
    snprintf(missing, sizeof missing, "%s/missing.txt", argv[1]);
    const char *data = "file-io data\n"; /* 13 bytes */
    char buf[64];

    /* (a) libc open: write the data. */
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) die("open");
    if (write(fd, data, strlen(data)) != (ssize_t)strlen(data)) die("write");
    if (close(fd) != 0) die("close");

    /* (b) syscall(SYS_open): read it all back. */
    fd = (int)syscall(SYS_open, path, O_RDONLY);
    if (fd < 0) die("syscall(SYS_open)");
    if (read(fd, buf, sizeof buf) != (ssize_t)strlen(data)) die("read");
    if (close(fd) != 0) die("close");

    /* (c) raw syscall instruction: read the first 5 bytes. */
    fd = (int)raw_open(path, O_RDONLY);
    if (fd < 0) die("raw open");
    if (read(fd, buf, 5) != 5) die("read");
    if (close(fd) != 0) die("close");

    /* A failing open. */
    if (open(missing, O_RDONLY) >= 0 || errno != ENOENT) die("open missing");
    return 0;
}
