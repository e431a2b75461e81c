/* io_uring's calls as strace prints them: io_uring_setup with the
 * parameters the kernel filled in (features, ring offsets) and one it
 * refused (flags it does not know), io_uring_enter's flags (one unknown),
 * io_uring_register's operations (its descriptors for
 * IORING_REGISTER_FILES, one operation strace does not know). */
#include <linux/io_uring.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    int ring = syscall(SYS_io_uring_setup, 8, &params);
    syscall(SYS_io_uring_enter, ring, 0, 0, IORING_ENTER_GETEVENTS, NULL, 8);
    syscall(SYS_io_uring_enter, ring, 0, 0, 0x80, NULL, 8);
    int files[2] = {0, 1};
    syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES, files, 2);
    syscall(SYS_io_uring_register, ring, IORING_UNREGISTER_FILES, NULL, 0);
    syscall(SYS_io_uring_register, ring, 0x40, NULL, 0);
    close(ring);
    memset(&params, 0, sizeof params);
    params.flags = 0xf0000;
    syscall(SYS_io_uring_setup, 8, &params);
    return 0;
}
