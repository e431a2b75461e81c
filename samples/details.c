/* Small decoding details strace has: umask's octal result, mremap without
 * MREMAP_FIXED (four arguments), accept4's flags, a failed accept's and
 * getsockname's address length, an unnamed AF_UNIX address, a netlink
 * address and option, prlimit64's 1024 (no
 * "1*1024"), faccessat2's AT_EACCESS, wait4's WSTOPPED, a SIGSEGV's
 * SEGV_MAPERR and si_addr, a timer's SIGALRM (SI_TIMER and its fields) and
 * the pause() it interrupts (= ? ERESTARTNOHAND). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/netlink.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_alarm(int signo)
{
    (void)signo;
}

int main(void)
{
    umask(022);
    umask(077);
    void *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mremap(page, 4096, 8192, MREMAP_MAYMOVE);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    accept4(listener, 0, 0, SOCK_CLOEXEC);
    /* A failed accept and getsockname show the length as it went in; an
     * unnamed AF_UNIX socket's address has no path. */
    struct sockaddr_storage address;
    socklen_t length = sizeof address;
    fcntl(listener, F_SETFL, O_NONBLOCK);
    listen(listener, 1);
    accept(listener, (struct sockaddr *)&address, &length);
    getsockname(99, (struct sockaddr *)&address, &length);
    int unnamed = socket(AF_UNIX, SOCK_STREAM, 0);
    getsockname(unnamed, (struct sockaddr *)&address, &length);
    /* A netlink address: the kernel picks the port id (the pid). */
    int netlink = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    struct sockaddr_nl any = {.nl_family = AF_NETLINK};
    bind(netlink, (struct sockaddr *)&any, sizeof any);
    int ext_ack = 1;
    setsockopt(netlink, SOL_NETLINK, NETLINK_EXT_ACK, &ext_ack, sizeof ext_ack);
    length = sizeof address;
    getsockname(netlink, (struct sockaddr *)&address, &length);
    struct rlimit files = {1024, 4096};
    prlimit(0, RLIMIT_NOFILE, &files, 0);
    syscall(SYS_faccessat2, AT_FDCWD, "/", R_OK, AT_EACCESS);

    pid_t child = fork();
    if (child == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        volatile int *null = 0;
        return *null;
    }
    waitpid(child, 0, WUNTRACED);

    struct sigaction on = {0};
    on.sa_handler = on_alarm;
    sigaction(SIGALRM, &on, 0);
    timer_t timer;
    struct sigevent event = {0};
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = SIGALRM;
    timer_create(CLOCK_MONOTONIC, &event, &timer);
    struct itimerspec in_1ms = {{0, 0}, {0, 1000000}};
    timer_settime(timer, 0, &in_1ms, 0);
    pause();
    return 0;
}
