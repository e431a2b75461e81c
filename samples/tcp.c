/* Loopback TCP in one program: the parent listens on 127.0.0.1 (port 0, learnt
 * with getsockname) and forks; the child connects and sends "ping", the parent
 * accepts, receives it and answers "pong", which the child receives. Checks
 * socket calls and their decoded addresses and data (send/recv are
 * sendto/recvfrom on glibc) in two processes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
    perror(what);
    exit(1);
}

int main(void) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0) die("bind");
    if (listen(lfd, 1) != 0) die("listen");
    socklen_t len = sizeof addr;
    if (getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) die("getsockname");

    char buf[4];
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        close(lfd);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) die("socket");
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("connect");
        if (send(fd, "ping", 4, 0) != 4) die("send");
        if (recv(fd, buf, 4, MSG_WAITALL) != 4) die("recv");
        exit(memcmp(buf, "pong", 4) == 0 ? 0 : 1);
    }

    int cfd = accept(lfd, NULL, NULL);
    if (cfd < 0) die("accept");
    if (recv(cfd, buf, 4, MSG_WAITALL) != 4 || memcmp(buf, "ping", 4) != 0) die("recv");
    if (send(cfd, "pong", 4, 0) != 4) die("send");
    close(cfd);
    close(lfd);
    int status;
    if (waitpid(pid, &status, 0) != pid) die("waitpid");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
