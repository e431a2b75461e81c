/* fcntl's record locks: set (F_SETLK, F_SETLKW, F_OFD_SETLK) as the caller
 * describes them, and F_GETLK's answer as the kernel writes it back (with
 * l_pid). Works in the current directory (locks.dat, removed at the end). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
    int fd = open("locks.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
    struct flock lock = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 1073741824, .l_len = 1};
    fcntl(fd, F_SETLK, &lock);
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_CUR;
    lock.l_start = 0;
    lock.l_len = 0;
    fcntl(fd, F_SETLKW, &lock);
    struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    fcntl(fd, F_GETLK, &probe);
    struct flock ofd = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 10};
    fcntl(fd, F_OFD_SETLK, &ofd);
    lock.l_type = F_UNLCK;
    fcntl(fd, F_SETLK, &lock);
    unlink("locks.dat");
    return 0;
}
