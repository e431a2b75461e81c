/* Structs strace decodes: epoll_event (epoll_ctl, epoll_wait, epoll_pwait),
 * itimerspec (timerfd_settime, timerfd_gettime), rusage (getrusage),
 * statfs (fstatfs of an anonymous inode, statfs of /), and the times
 * utimensat sets (UTIME_NOW, UTIME_OMIT, dated ones; utimes is utimensat in
 * glibc). */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/vfs.h>
#include <unistd.h>

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int counter = eventfd(0, EFD_NONBLOCK);
    int pipe_ends[2];
    pipe(pipe_ends);
    struct epoll_event readable = {.events = EPOLLIN, .data.u64 = 4};
    epoll_ctl(ep, EPOLL_CTL_ADD, counter, &readable);
    struct epoll_event writable = {.events = EPOLLOUT | EPOLLET, .data.fd = pipe_ends[1]};
    epoll_ctl(ep, EPOLL_CTL_ADD, pipe_ends[1], &writable);
    struct epoll_event ready[8];
    epoll_wait(ep, ready, 8, 0);
    uint64_t one = 1;
    write(counter, &one, 8);
    epoll_wait(ep, ready, 8, 1000);
    epoll_pwait(ep, ready, 8, 0, 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, pipe_ends[1], 0);

    int timer = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec in_5s = {{0, 0}, {5, 0}}, old;
    timerfd_settime(timer, 0, &in_5s, &old);
    timerfd_gettime(timer, &old);

    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    getrusage(RUSAGE_CHILDREN, &usage);
    struct statfs fs;
    fstatfs(ep, &fs);
    statfs("/", &fs);

    close(open("times.dat", O_CREAT | O_WRONLY, 0600));
    struct timespec now_and_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    utimensat(AT_FDCWD, "times.dat", now_and_omit, 0);
    struct timespec dated[2] = {{1700000000, 5}, {1700000001, 0}};
    utimensat(AT_FDCWD, "times.dat", dated, AT_SYMLINK_NOFOLLOW);
    struct timeval microseconds[2] = {{1700000000, 7}, {1700000002, 0}};
    utimes("times.dat", microseconds);
    unlink("times.dat");
    return 0;
}
