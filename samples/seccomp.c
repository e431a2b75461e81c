/* Calls a seccomp filter rejects: getppid fails with EPERM without running,
 * and the kernel never runs its enter tracepoint (only its exit), as
 * strace prints them: `getppid() = -1 EPERM (Operation not permitted)`.
 * Then seccomp itself (SECCOMP_SET_MODE_FILTER, {len=4, filter=...}). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    /* EPERM for getppid, the rest allowed. */
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = 4, .filter = code};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
    getppid();
    syscall(SYS_getppid);
    getpid();
    return 0;
}
