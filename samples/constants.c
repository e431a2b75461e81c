/* Calls whose flags and constants strace names: memfd seals (fcntl
 * F_ADD_SEALS, F_GET_SEALS), posix_fadvise's advice, ioctl FIONBIO (its int)
 * and FICLONE, timerfd and signalfd flags, msync and mlockall flags,
 * getpriority/setpriority's `which`, netlink socket protocols, socket
 * options by level, SO_ERROR's errno. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

int main(void)
{
    int fd = memfd_create("seals", MFD_ALLOW_SEALING);
    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
    fcntl(fd, F_GET_SEALS);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    posix_fadvise(fd, 0, 4096, POSIX_FADV_DONTNEED);
    int on = 1;
    ioctl(fd, FIONBIO, &on);
    ioctl(fd, FICLONE, fd);
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    int signals = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    void *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    msync(page, 4096, MS_SYNC);
    msync(page, 4096, MS_ASYNC | MS_INVALIDATE);
    getpriority(PRIO_PROCESS, 0);
    /* A group that does not exist: nothing else changes priority. */
    setpriority(PRIO_PGRP, 999999, 0);
    int audit = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
    int route = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
    mlockall(MCL_CURRENT | MCL_FUTURE);
    munlockall();
    int tcp = socket(AF_INET, SOCK_STREAM, 0), value;
    socklen_t size = sizeof value;
    setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(tcp, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    setsockopt(tcp, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    getsockopt(tcp, SOL_SOCKET, SO_ERROR, &value, &size);
    getsockopt(tcp, SOL_SOCKET, SO_TYPE, &value, &size);
    close(tcp);
    /* A refused connection: SO_ERROR holds the errno, which strace names. */
    int refused = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in port1 = {.sin_family = AF_INET, .sin_port = htons(1)};
    port1.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(refused, (struct sockaddr *)&port1, sizeof port1);
    struct pollfd done = {.fd = refused, .events = POLLOUT};
    poll(&done, 1, 1000);
    getsockopt(refused, SOL_SOCKET, SO_ERROR, &value, &size);
    close(refused);
    close(audit);
    close(route);
    close(timer);
    close(signals);
    return 0;
}
