/* Opens a file through libc's open() three functions deep (load_settings
 * -> read_config -> open_config), in a program built as distributions
 * build theirs (no frame pointers): `record --stack=dwarf` unwinds through
 * libc's wrapper with the call frame info, and `show -k` names each
 * function. Exits at once, so its mappings must come from its exec and
 * mmaps, not from /proc. */
#include <fcntl.h>
#include <unistd.h>

__attribute__((noinline)) int open_config(const char *path) {
    return open(path, O_RDONLY);
}

__attribute__((noinline)) int read_config(const char *path) {
    int fd = open_config(path);
    char buf[64];
    if (fd >= 0 && read(fd, buf, sizeof buf) < 0)
        return -1;
    return fd;
}

__attribute__((noinline)) int load_settings(void) {
    return read_config("/etc/hostname") >= 0 ? 0 : 1;
}

int main(void) { return load_settings(); }
