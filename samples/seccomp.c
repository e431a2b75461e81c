/* Calls a seccomp filter rejects: getppid fails with EPERM without running,
 * and the kernel never runs its enter tracepoint (only its exit), as
 * strace prints them: `getppid() = -1 EPERM (Operation not permitted)`.
 * Then seccomp itself (SECCOMP_SET_MODE_FILTER, {len=4, filter=...}), and
 * a child a SECCOMP_RET_KILL_PROCESS filter kills: strace shows no SIGSYS
 * line, only `+++ killed by SIGSYS +++`. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A filter that answers getppid with `action`, the rest allowed. */
static void filter_getppid(unsigned int action)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, action),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = 4, .filter = code};
    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int main(void)
{
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    /* A child killed by its filter: the call shows its own number as its
     * result (the kernel rolls the registers back), then the death. */
    pid_t child = fork();
    if (child == 0) {
        filter_getppid(SECCOMP_RET_KILL_PROCESS);
        getppid();
        return 0;
    }
    waitpid(child, 0, 0);
    filter_getppid(SECCOMP_RET_ERRNO | EPERM);
    getppid();
    syscall(SYS_getppid);
    getpid();
    return 0;
}
