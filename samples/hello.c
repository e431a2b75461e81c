/* Writes one known line to stdout and exits with status 3: the smallest program
 * whose recording can be checked call by call (execve, write, exit_group). */
#include <string.h>
#include <unistd.h>

int main(void) {
    const char *line = "hello, systrace\n";
    write(1, line, strlen(line));
    return 3;
}
