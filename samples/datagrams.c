/* COUNT (default 300000) one-byte datagrams sent and received through a unix
 * socket pair: a load of short send/recv calls, the calls whose recording
 * names a netlink socket's protocol (the record benchmark's "sockets"). */
#include <stdlib.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 300000;
    int sv[2];
    char c = 'x';
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0) return 1;
    for (long i = 0; i < count; i++) {
        if (send(sv[0], &c, 1, 0) != 1 || recv(sv[1], &c, 1, 0) != 1) return 1;
    }
    return 0;
}
