/* A child asleep for 10 s is sent SIGTERM by its parent, which waits for
 * it: strace shows the interrupted sleep with the time it had left, the
 * signal the child dies of
 * (`--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=...} ---`, which
 * the kernel turns into a SIGKILL when no debugger traces the child) and
 * `+++ killed by SIGTERM +++`; not the SIGCONT sent after, which the
 * dying child ignores. */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    int ready[2];
    pipe(ready);
    pid_t child = fork();
    if (child == 0) {
        write(ready[1], "r", 1);
        sleep(10);
        return 0;
    }
    char byte;
    read(ready[0], &byte, 1);
    /* Time for the child to fall asleep. */
    struct timespec settle = {0, 100000000};
    nanosleep(&settle, 0);
    kill(child, SIGTERM);
    /* As timeout(1) does: a process already dying ignores it. */
    kill(child, SIGCONT);
    int status;
    waitpid(child, &status, 0);
    return !(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
}
