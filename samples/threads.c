/* Four threads, each writing one 9-byte line "thread N\n" to stdout once all
 * four exist (a barrier holds them); main joins them and exits 0. Checks that
 * the tracer follows threads (clone3/clone) and attributes each write to its
 * own thread: exactly 4 such writes, in any order. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NTHREADS 4

static pthread_barrier_t barrier;

static void *worker(void *arg) {
    int i = (int)(long)arg;
    char line[] = "thread 0\n";
    line[7] = (char)('0' + i);
    pthread_barrier_wait(&barrier);
    if (write(1, line, sizeof line - 1) != (ssize_t)(sizeof line - 1)) exit(1);
    return NULL;
}

int main(void) {
    pthread_t tids[NTHREADS];
    if (pthread_barrier_init(&barrier, NULL, NTHREADS) != 0) return 1;
    for (long i = 0; i < NTHREADS; i++)
        if (pthread_create(&tids[i], NULL, worker, (void *)i) != 0) return 1;
    for (int i = 0; i < NTHREADS; i++)
        if (pthread_join(tids[i], NULL) != 0) return 1;
    return 0;
}
