/* futex with each operation strace prints its own way: the arguments an
 * operation uses, its timeout, val2, uaddr2 and val3 (a bitset, a number or
 * FUTEX_WAKE_OP's encoded operation). Nothing waits: each wait either finds
 * another value or times out after 1 us. */
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint32_t word, other;

static long futex(int op, uint32_t val, const void *timeout_or_val2, uint32_t *uaddr2, uint32_t val3)
{
    return syscall(SYS_futex, &word, op, val, timeout_or_val2, uaddr2, val3);
}

int main(void)
{
    const struct timespec us = {0, 1000};
    futex(FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
    futex(FUTEX_WAIT_PRIVATE, 1, &us, 0, 0);
    futex(FUTEX_WAIT_PRIVATE, 0, &us, 0, 0);
    futex(FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, 0, 0, FUTEX_BITSET_MATCH_ANY);
    futex(FUTEX_WAIT_BITSET_PRIVATE, 1, &us, 0, 0x5);
    futex(FUTEX_WAKE_BITSET_PRIVATE, 1, 0, 0, FUTEX_BITSET_MATCH_ANY);
    futex(FUTEX_REQUEUE_PRIVATE, 1, (void *)2, &other, 0);
    futex(FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2, &other, 0);
    futex(FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &other,
          FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GT, 1));
    futex(FUTEX_LOCK_PI_PRIVATE, 0, &us, 0, 0);
    futex(FUTEX_UNLOCK_PI_PRIVATE, 0, 0, 0, 0);
    futex(FUTEX_TRYLOCK_PI_PRIVATE, 0, 0, 0, 0);
    futex(FUTEX_WAIT, 1, 0, 0, 0);
    return 0;
}
