/* POSIX timers and itimers, as strace prints them: timer_create with each
 * kind of notice (a signal with a value, none, a thread id), timer_settime
 * (relative and TIMER_ABSTIME, with the old value), timer_gettime,
 * timer_getoverrun, timer_delete, setitimer/getitimer; then a signal handled
 * with USR2 and TERM blocked, whose rt_sigreturn restores that mask. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void on_usr1(int signo)
{
    (void)signo;
}

int main(void)
{
    timer_t a, b, c;
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_value.sival_ptr = (void *)0x1234;
    timer_create(CLOCK_REALTIME, &ev, &a);
    struct sigevent none = {0};
    none.sigev_notify = SIGEV_NONE;
    timer_create(CLOCK_MONOTONIC, &none, &b);
    struct sigevent tid = {0};
    tid.sigev_notify = SIGEV_THREAD_ID;
    tid.sigev_signo = SIGUSR2;
    tid._sigev_un._tid = getpid();
    /* glibc keeps SIGEV_THREAD_ID to itself: the call directly. */
    syscall(SYS_timer_create, CLOCK_MONOTONIC, &tid, &c);
    struct itimerspec far = {{1, 500}, {100, 0}}, old;
    timer_settime(b, 0, &far, &old);
    timer_settime(b, TIMER_ABSTIME, &far, 0);
    struct itimerspec now;
    timer_gettime(b, &now);
    timer_getoverrun(b);
    timer_delete(b);
    struct itimerval iv = {{0, 0}, {5, 250}}, oiv;
    setitimer(ITIMER_REAL, &iv, &oiv);
    getitimer(ITIMER_REAL, &oiv);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, 0);
    signal(SIGUSR1, on_usr1);
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR2);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_BLOCK, &blocked, 0);
    raise(SIGUSR1);
    return 0;
}
