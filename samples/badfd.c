/* Usage: badfd DIR. close(999) fails with EBADF; an O_TMPFILE open of DIR
 * gets an unnamed file that takes "tmp\n"; an O_CREAT|O_EXCL open of
 * DIR/excl.tmp creates a file that is then closed and unlinked. Checks error
 * returns and the decoding of less common open flags. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

static void die(const char *what) {
    perror(what);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    if (close(999) == 0 || errno != EBADF) die("close(999)");

    int fd = open(argv[1], O_TMPFILE | O_RDWR, 0600);
    if (fd < 0) die("open O_TMPFILE");
    if (write(fd, "tmp\n", 4) != 4) die("write");
    if (close(fd) != 0) die("close");

    char path[4096];
    snprintf(path, sizeof path, "%s/excl.tmp", argv[1]);
    fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd < 0) die("open O_EXCL");
    if (close(fd) != 0) die("close");
    if (unlink(path) != 0) die("unlink");
    return 0;
}
