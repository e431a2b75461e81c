/* Writes "about to die\n" to stdout, then sends itself SIGKILL: the process
 * ends killed by a signal, never returning from kill(), which the tracer must
 * report (kill with no return, then "killed by SIGKILL"). */
#include <signal.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    const char *line = "about to die\n";
    if (write(1, line, strlen(line)) != (ssize_t)strlen(line)) return 1;
    kill(getpid(), SIGKILL);
    return 1; /* not reached */
}
