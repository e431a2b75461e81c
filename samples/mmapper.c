/* Usage: mmapper DIR. Exactly 5 mmap and 5 munmap calls of its own: private
 * anonymous maps of 4096, 65536 and 1048576 bytes, a shared anonymous map of
 * 8192 bytes, and a shared map of a 4096-byte file DIR/mmap.dat (created with
 * ftruncate, unlinked at the end). Each map is touched once. No stdio on the
 * success path, so no mmap from malloc. Checks mmap/munmap decoding: lengths,
 * prot, flags, fd, and returned addresses. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void anon(size_t len, int flags) {
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    p[len - 1] = 1;
    if (munmap(p, len) != 0) die("munmap");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    anon(4096, MAP_PRIVATE);
    anon(65536, MAP_PRIVATE);
    anon(1048576, MAP_PRIVATE);
    anon(8192, MAP_SHARED);

    char path[4096];
    snprintf(path, sizeof path, "%s/mmap.dat", argv[1]);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0) die("open");
    if (ftruncate(fd, 4096) != 0) die("ftruncate");
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) die("mmap");
    p[0] = 'm';
    if (munmap(p, 4096) != 0) die("munmap");
    if (close(fd) != 0) die("close");
    if (unlink(path) != 0) die("unlink");
    return 0;
}
