/* select and pselect6 as strace prints them: the sets asked about, then
 * what was found ready after the result (in, out), the time left, and a
 * timeout. glibc's select() is pselect6 with no mask; the select syscall
 * itself takes a timeval. */
#define _GNU_SOURCE
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    int ends[2];
    pipe(ends);
    write(ends[1], "x", 1);

    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(ends[0], &readable);
    FD_SET(ends[1], &readable);
    struct timespec second = {1, 0};
    pselect(ends[1] + 1, &readable, NULL, NULL, &second, NULL);

    FD_ZERO(&readable);
    FD_SET(ends[1], &readable);
    struct timeval millisecond = {0, 1000};
    select(ends[1] + 1, &readable, NULL, NULL, &millisecond);

    fd_set writable;
    FD_ZERO(&readable);
    FD_SET(ends[0], &readable);
    FD_ZERO(&writable);
    FD_SET(ends[1], &writable);
    syscall(SYS_select, ends[1] + 1, &readable, &writable, NULL, NULL);
    struct timeval tenth = {0, 100000};
    syscall(SYS_select, ends[1] + 1, &readable, &writable, NULL, &tenth);
    return 0;
}
