/* Values no name fits, in the arguments strace names: each printed as a
 * number with strace's comment (`prctl(0x999 /* PR_??? *\/, ...)`,
 * `socket(AF_INET, 0x99 /* SOCK_??? *\/, ...)`), an option of a level strace
 * does not know as a plain number. Every call fails or does nothing. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

int main(void)
{
    syscall(SYS_prctl, 0x999, 0, 0, 0, 0);
    syscall(SYS_fcntl, 0, 0x999, 0);
#ifdef SYS_arch_prctl
    syscall(SYS_arch_prctl, 0x9999, 0);
#endif
    syscall(SYS_socket, 0x99, 1, 0);
    syscall(SYS_socket, 2, 0x99, 0);
    syscall(SYS_madvise, 0, 0, 0x999);
    syscall(SYS_clock_gettime, 99, 0);
    syscall(SYS_prlimit64, 0, 99, 0, 0);
    syscall(SYS_lseek, 0, 0, 9);
    syscall(SYS_fadvise64, 0, 0, 0, 99);
    syscall(SYS_setsockopt, -1, 0x999, 1, 0, 0);
    syscall(SYS_setsockopt, -1, 1, 0x999, 0, 0);
    syscall(SYS_rt_sigprocmask, 9, 0, 0, 8);
    syscall(SYS_epoll_ctl, -1, 9, -1, 0);
    syscall(SYS_futex, 0, 99, 0, 0, 0, 0);
    syscall(SYS_mmap, 0, 4096, 0x100, 0x2, -1, 0);
    syscall(SYS_getpriority, 9, 0);
    syscall(SYS_shutdown, -1, 9);
    syscall(SYS_flock, -1, 0x100);
    return 0;
}
