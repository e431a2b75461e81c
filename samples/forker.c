/* fork(); the child execs `/bin/sh -c "exit 7"`; the parent waits for it and
 * writes "child exited 7\n" (from WEXITSTATUS). Checks that the tracer follows
 * a child across fork (clone) and execve, and records its exit status and the
 * parent's wait4. */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 1;
    char line[32];
    int n = snprintf(line, sizeof line, "child exited %d\n", WEXITSTATUS(status));
    if (write(1, line, (size_t)n) != n) return 1;
    return 0;
}
