/* THREADS threads (default 64), each making CALLS getppid calls (default
 * 20000) in a tight loop once all exist (a barrier holds them). A load of many
 * short syscalls from many threads at once: the tests check that none of the
 * THREADS x CALLS calls is lost, or that every loss is charged to its thread. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_barrier_t barrier;
static long calls = 20000;

static void *worker(void *arg) {
    (void)arg;
    pthread_barrier_wait(&barrier);
    for (long i = 0; i < calls; i++) syscall(SYS_getppid);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 64;
    if (argc > 2) calls = atol(argv[2]);
    if (threads < 1 || threads > 4096 || calls < 0) return 2;
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!tids || pthread_barrier_init(&barrier, NULL, (unsigned)threads) != 0) return 1;
    for (int i = 0; i < threads; i++)
        if (pthread_create(&tids[i], NULL, worker, NULL) != 0) return 1;
    for (int i = 0; i < threads; i++)
        if (pthread_join(tids[i], NULL) != 0) return 1;
    return 0;
}
