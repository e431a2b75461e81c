/* Calls about the process itself whose structs strace decodes: getresuid,
 * getresgid, getgroups (the count, then the list) and setgroups,
 * sched_getaffinity and sched_setaffinity (CPU masks), sigaltstack (new and
 * old stack_t), mincore's page vector, capget/capset (the sets, less
 * CAP_NET_RAW, and a header of no known version), and the NUMA memory
 * policy calls with their node masks (get_mempolicy, set_mempolicy, mbind). */
#define _GNU_SOURCE
#include <grp.h>
#include <linux/capability.h>
#include <linux/mempolicy.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    uid_t ruid, euid, suid;
    getresuid(&ruid, &euid, &suid);
    gid_t rgid, egid, sgid;
    getresgid(&rgid, &egid, &sgid);
    gid_t groups[8];
    int count = getgroups(0, NULL);
    count = getgroups(8, groups);
    gid_t two[2] = {0, 4};
    setgroups(2, two);

    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    sched_getaffinity(0, sizeof cpus, &cpus);
    CPU_ZERO(&cpus);
    CPU_SET(0, &cpus);
    sched_setaffinity(0, sizeof cpus, &cpus);

    stack_t alternate = {0}, old;
    alternate.ss_sp = malloc(SIGSTKSZ);
    alternate.ss_size = SIGSTKSZ;
    sigaltstack(&alternate, &old);
    sigaltstack(NULL, &old);

    /* Pages 0 and 2 of 4 touched, so resident. */
    unsigned char resident[4];
    char *pages = mmap(0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pages[0] = 1;
    pages[2 * 4096] = 1;
    mincore(pages, 4 * 4096, resident);

    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct sets[2];
    syscall(SYS_capget, &header, sets);
    sets[0].effective &= ~(1u << CAP_NET_RAW);
    syscall(SYS_capset, &header, sets);
    syscall(SYS_capget, &header, sets);
    struct __user_cap_header_struct unknown = {0, 0};
    syscall(SYS_capget, &unknown, NULL);

    int policy;
    unsigned long nodes[16];
    syscall(SYS_get_mempolicy, &policy, nodes, 1025, NULL, 0);
    unsigned long node0 = 1;
    syscall(SYS_set_mempolicy, MPOL_BIND, &node0, 2);
    syscall(SYS_mbind, pages, 4096, MPOL_PREFERRED, &node0, 2, MPOL_MF_STRICT);
    syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0);
    return count < 0;
}
