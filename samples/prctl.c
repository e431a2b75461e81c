/* prctl with the options strace prints its own way (PR_SET_NAME's name,
 * signals, capabilities (one unknown), SUID_DUMP_*, PR_CAP_AMBIENT's
 * operations, the unused arguments of
 * PR_SET_NO_NEW_PRIVS), and sleeps that run to the end (the time left is an
 * address then). */
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

int main(void)
{
    char name[16];
    prctl(PR_SET_NAME, "fid-sec");
    prctl(PR_GET_NAME, name);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    prctl(PR_GET_DUMPABLE);
    prctl(PR_SET_DUMPABLE, 1);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN);
    /* A capability this kernel does not have: `0x3f /* CAP_??? *\/`. */
    prctl(PR_CAPBSET_READ, 63);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    prctl(PR_GET_SECUREBITS);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    prctl(PR_GET_SECCOMP);
    prctl(PR_SET_TIMERSLACK, 50000);
    struct timespec one_us = {0, 1000}, left;
    nanosleep(&one_us, &left);
    clock_nanosleep(CLOCK_MONOTONIC, 0, &one_us, &left);
    return 0;
}
