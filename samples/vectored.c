/* Vectored I/O and polling on a pipe: poll times out on the empty pipe,
 * writev puts three pieces in, poll then reports both ends ready, readv takes
 * the data into two buffers, a second readv at end of file returns 0, and
 * ppoll with a timeout reports the hang-up. Checks the decoding of iovec and
 * pollfd arrays, on the way in and on the way out. */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
    perror(what);
    exit(1);
}

int main(void) {
    int fds[2];
    if (pipe(fds) != 0) die("pipe");

    struct pollfd empty = {.fd = fds[0], .events = POLLIN};
    if (poll(&empty, 1, 0) != 0) die("poll on an empty pipe");

    struct iovec out[3] = {
        {.iov_base = "hello ", .iov_len = 6},
        {.iov_base = "vectored ", .iov_len = 9},
        {.iov_base = "world\n", .iov_len = 6},
    };
    if (writev(fds[1], out, 3) != 21) die("writev");

    struct pollfd both[2] = {
        {.fd = fds[0], .events = POLLIN},
        {.fd = fds[1], .events = POLLOUT},
    };
    if (poll(both, 2, 1000) != 2) die("poll");

    char small[5], large[100];
    struct iovec in[2] = {
        {.iov_base = small, .iov_len = sizeof small},
        {.iov_base = large, .iov_len = sizeof large},
    };
    if (readv(fds[0], in, 2) != 21) die("readv");
    if (close(fds[1]) != 0) die("close");
    if (readv(fds[0], in, 2) != 0) die("readv at end of file");

    struct timespec timeout = {.tv_sec = 0, .tv_nsec = 1000000};
    struct pollfd hangup = {.fd = fds[0], .events = POLLIN};
    if (ppoll(&hangup, 1, &timeout, NULL) != 1) die("ppoll");
    return 0;
}
