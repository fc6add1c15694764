/*
 * The restrictions applied after the file system is built: rlimits, capabilities, identity,
 * NO_NEW_PRIVS, Landlock (best effort: the kernel may lack it) and the two seccomp filters the
 * server compiled from sandbox/seccomp.policy. Seccomp comes last, right before execve.
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Landlock ABI constants, spelled out because Debian 12's kernel headers predate ABI 3+. */
#define WL_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define WL_LANDLOCK_RULE_PATH_BENEATH 1
#define WL_FS_WRITE_FILE (1ULL << 1)
#define WL_FS_REMOVE_DIR (1ULL << 4)
#define WL_FS_REMOVE_FILE (1ULL << 5)
#define WL_FS_MAKE_CHAR (1ULL << 6)
#define WL_FS_MAKE_DIR (1ULL << 7)
#define WL_FS_MAKE_REG (1ULL << 8)
#define WL_FS_MAKE_SOCK (1ULL << 9)
#define WL_FS_MAKE_FIFO (1ULL << 10)
#define WL_FS_MAKE_BLOCK (1ULL << 11)
#define WL_FS_MAKE_SYM (1ULL << 12)
#define WL_FS_REFER (1ULL << 13)
#define WL_FS_TRUNCATE (1ULL << 14)
#define WL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define WL_SCOPE_SIGNAL (1ULL << 1)

struct wl_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct wl_path_beneath {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

int wl_load_filters(wl_config *config) {
    int fd = open(config->seccomp_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat info;
    if (fstat(fd, &info) != 0 || info.st_size <= 0 || info.st_size > 1 << 20) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    unsigned char *data = malloc((size_t)info.st_size);
    if (!data || read(fd, data, (size_t)info.st_size) != info.st_size) {
        close(fd);
        errno = EIO;
        return -1;
    }
    close(fd);
    /* Format: for each filter, a native-endian uint32 instruction count, then the instructions. */
    size_t offset = 0, size = (size_t)info.st_size;
    config->filter_count = 0;
    while (offset < size && config->filter_count < 2) {
        uint32_t count;
        if (size - offset < sizeof count) break;
        memcpy(&count, data + offset, sizeof count);
        offset += sizeof count;
        if (count == 0 || count > BPF_MAXINSNS || (size - offset) / sizeof(struct sock_filter) < count) break;
        config->filters[config->filter_count].len = (unsigned short)count;
        config->filters[config->filter_count].filter = (struct sock_filter *)(data + offset);
        config->filter_count++;
        offset += count * sizeof(struct sock_filter);
    }
    if (config->filter_count == 0 || offset != size) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

void wl_network_loopback_up(int status_fd) {
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) wl_fail(status_fd, "loopback-socket");
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strcpy(request.ifr_name, "lo");
    if (ioctl(sock, SIOCGIFFLAGS, &request) != 0) wl_fail(status_fd, "loopback-flags");
    request.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(sock, SIOCSIFFLAGS, &request) != 0) wl_fail(status_fd, "loopback-up");
    close(sock);
}

static void drop_capabilities(int status_fd) {
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) wl_fail(status_fd, "capbset-drop");
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) wl_fail(status_fd, "cap-ambient");
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) wl_fail(status_fd, "keepcaps");
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) != 0) wl_fail(status_fd, "capset");
}

/* Returns the Landlock ABI in force, 0 when the kernel has none. */
static int apply_landlock(int status_fd) {
    int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, WL_LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) return 0;
    uint64_t writes = WL_FS_WRITE_FILE | WL_FS_REMOVE_DIR | WL_FS_REMOVE_FILE | WL_FS_MAKE_CHAR | WL_FS_MAKE_DIR |
                      WL_FS_MAKE_REG | WL_FS_MAKE_SOCK | WL_FS_MAKE_FIFO | WL_FS_MAKE_BLOCK | WL_FS_MAKE_SYM;
    if (abi >= 2) writes |= WL_FS_REFER;
    if (abi >= 3) writes |= WL_FS_TRUNCATE;
    struct wl_ruleset_attr attr = {.handled_access_fs = writes};
    size_t attr_size = offsetof(struct wl_ruleset_attr, handled_access_net);
    if (abi >= 6) {
        /* Signals and abstract unix sockets stay inside the sandbox's own Landlock domain. */
        attr.scoped = WL_SCOPE_ABSTRACT_UNIX_SOCKET | WL_SCOPE_SIGNAL;
        attr_size = sizeof attr;
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (ruleset < 0) wl_fail(status_fd, "landlock-ruleset");
    static const char *const writable[] = {"/workspace", "/tmp", "/dev/shm"};
    uint64_t no_devices = writes & ~(WL_FS_MAKE_CHAR | WL_FS_MAKE_BLOCK);
    for (size_t i = 0; i < sizeof writable / sizeof writable[0]; i++) {
        struct wl_path_beneath rule = {.allowed_access = no_devices};
        rule.parent_fd = open(writable[i], O_PATH | O_CLOEXEC | O_DIRECTORY);
        if (rule.parent_fd < 0) wl_fail(status_fd, "landlock-open");
        if (syscall(SYS_landlock_add_rule, ruleset, WL_LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0)
            wl_fail(status_fd, "landlock-rule");
        close(rule.parent_fd);
    }
    /* Writing to /dev/null and /dev/full is normal; nothing else under /dev is writable. */
    struct wl_path_beneath devices = {.allowed_access = WL_FS_WRITE_FILE | (abi >= 3 ? WL_FS_TRUNCATE : 0)};
    devices.parent_fd = open("/dev", O_PATH | O_CLOEXEC | O_DIRECTORY);
    if (devices.parent_fd < 0) wl_fail(status_fd, "landlock-open");
    if (syscall(SYS_landlock_add_rule, ruleset, WL_LANDLOCK_RULE_PATH_BENEATH, &devices, 0) != 0)
        wl_fail(status_fd, "landlock-rule");
    close(devices.parent_fd);
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) wl_fail(status_fd, "landlock-restrict");
    close(ruleset);
    return abi;
}

static void apply_seccomp(const wl_config *config) {
    for (int i = 0; i < config->filter_count; i++) {
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &config->filters[i]) != 0)
            wl_fail(config->status_fd, "seccomp");
    }
}

void wl_restrict(const wl_config *config) {
    int fd = config->status_fd;
    struct rlimit no_core = {0, 0};
    if (setrlimit(RLIMIT_CORE, &no_core) != 0) wl_fail(fd, "rlimit-core");
    for (int i = 0; i < config->rlimit_count; i++) {
        struct rlimit limit = {config->rlimits[i].value, config->rlimits[i].value};
        if (setrlimit(config->rlimits[i].resource, &limit) != 0) wl_fail(fd, "rlimit");
    }
    drop_capabilities(fd);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) wl_fail(fd, "no-new-privs");
    wl_report(fd, "landlock %d", apply_landlock(fd));
    apply_seccomp(config);
}
