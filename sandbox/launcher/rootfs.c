/*
 * The sandbox's file system: a fresh tmpfs root with read-only binds of the system directories
 * the interpreters need, a curated /etc, a fresh /proc, a minimal /dev, size-limited tmpfs on
 * /tmp and /dev/shm, and the workspace read-write at /workspace. Bind sources are opened
 * (O_PATH) before anything is mounted, so a source under /tmp is not hidden by the new root
 * (which is a tmpfs mounted on /tmp).
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ROOT "/tmp"
#define FD_SYMLINK (-2)

static int status_fd;

static void check(int result, const char *step) {
    if (result != 0) wl_fail(status_fd, step);
}

/* Creates every missing directory of `path` (absolute, inside the new root). */
static void make_dirs(const char *path) {
    char buffer[4096];
    snprintf(buffer, sizeof buffer, "%s", path);
    for (char *slash = buffer + 1; *slash; slash++) {
        if (*slash != '/') continue;
        *slash = 0;
        if (mkdir(buffer, 0755) != 0 && errno != EEXIST) wl_fail(status_fd, "mkdir");
        *slash = '/';
    }
    if (mkdir(buffer, 0755) != 0 && errno != EEXIST) wl_fail(status_fd, "mkdir");
}

static void make_file(const char *path, const char *text) {
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        make_dirs(parent);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) wl_fail(status_fd, "create-file");
    size_t len = strlen(text);
    if (len && write(fd, text, len) != (ssize_t)len) wl_fail(status_fd, "write-file");
    close(fd);
}

/* Mount flags a user namespace may not clear on a bind of a host mount (they are locked). */
static unsigned long locked_flags(const char *path) {
    struct statvfs info;
    if (statvfs(path, &info) != 0) return 0;
    unsigned long flags = 0;
    if (info.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (info.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (info.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (info.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (info.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (info.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return flags;
}

static void bind_fd(int fd, const char *target, int writable) {
    char source[64];
    snprintf(source, sizeof source, "/proc/self/fd/%d", fd);
    check(mount(source, target, NULL, MS_BIND | MS_REC, NULL), "bind");
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | locked_flags(target);
    if (!writable) flags |= MS_RDONLY;
    check(mount(NULL, target, NULL, flags, NULL), "bind-remount");
}

static void mount_tmpfs(const char *target, unsigned long flags, uint64_t size, uint64_t inodes,
                        const char *extra) {
    char options[256];
    snprintf(options, sizeof options, "size=%llu,nr_inodes=%llu%s%s", (unsigned long long)size,
             (unsigned long long)inodes, extra[0] ? "," : "", extra);
    make_dirs(target);
    check(mount("tmpfs", target, "tmpfs", flags, options), "mount-tmpfs");
}

int wl_rootfs_prepare(const wl_config *config, int *workspace_fd, int *bind_fds) {
    *workspace_fd = -1;
    if (config->workspace) {
        *workspace_fd = open(config->workspace, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (*workspace_fd < 0) return -1;
    }
    for (int i = 0; i < config->ro_bind_count; i++) {
        struct stat info;
        if (lstat(config->ro_binds[i], &info) != 0) return -1;
        if (S_ISLNK(info.st_mode)) {
            bind_fds[i] = FD_SYMLINK;
            continue;
        }
        bind_fds[i] = open(config->ro_binds[i], O_PATH | O_CLOEXEC);
        if (bind_fds[i] < 0) return -1;
    }
    return 0;
}

static const char *const passwd =
    "root:x:0:0:root:/root:/usr/sbin/nologin\n"
    "sandbox:x:1000:1000:sandbox:/workspace:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char *const group = "root:x:0:\nsandbox:x:1000:\nnogroup:x:65534:\n";
static const char *const hosts = "127.0.0.1 localhost sandbox\n::1 localhost ip6-localhost\n";

static void build_dev(void) {
    mount_tmpfs(ROOT "/dev", MS_NOSUID | MS_NOEXEC, 65536, 64, "mode=0755");
    static const char *const nodes[] = {"null", "zero", "full", "random", "urandom"};
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        char host[64], target[64];
        snprintf(host, sizeof host, "/dev/%s", nodes[i]);
        snprintf(target, sizeof target, ROOT "/dev/%s", nodes[i]);
        make_file(target, "");
        check(mount(host, target, NULL, MS_BIND, NULL), "bind-dev");
        check(mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC | locked_flags(target),
                    NULL), "bind-dev-remount");
    }
    check(symlink("/proc/self/fd", ROOT "/dev/fd"), "dev-symlink");
    check(symlink("/proc/self/fd/0", ROOT "/dev/stdin"), "dev-symlink");
    check(symlink("/proc/self/fd/1", ROOT "/dev/stdout"), "dev-symlink");
    check(symlink("/proc/self/fd/2", ROOT "/dev/stderr"), "dev-symlink");
}

void wl_rootfs_build(const wl_config *config, int workspace_fd, const int *bind_fds) {
    status_fd = config->status_fd;
    /* Nothing mounted from here on may propagate back to the host. */
    check(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "make-private");
    check(mount("warden", ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1048576,nr_inodes=1024"),
          "mount-root");

    char target[4096];
    for (int i = 0; i < config->ro_bind_count; i++) {
        snprintf(target, sizeof target, ROOT "%s", config->ro_targets[i]);
        if (bind_fds[i] == FD_SYMLINK) {
            char link[4096];
            ssize_t n = readlink(config->ro_binds[i], link, sizeof link - 1);
            if (n < 0) wl_fail(status_fd, "readlink");
            link[n] = 0;
            char parent[4096];
            snprintf(parent, sizeof parent, "%s", target);
            *strrchr(parent, '/') = 0;
            if (parent[0]) make_dirs(parent);
            check(symlink(link, target), "symlink");
            continue;
        }
        struct stat info;
        if (fstat(bind_fds[i], &info) != 0) wl_fail(status_fd, "stat-bind");
        if (S_ISDIR(info.st_mode)) make_dirs(target);
        else make_file(target, "");
        bind_fd(bind_fds[i], target, 0);
    }

    make_file(ROOT "/etc/passwd", passwd);
    make_file(ROOT "/etc/group", group);
    make_file(ROOT "/etc/hosts", hosts);
    char hostname[128];
    snprintf(hostname, sizeof hostname, "%s\n", config->hostname);
    make_file(ROOT "/etc/hostname", hostname);

    make_dirs(ROOT "/proc");
    check(mount("proc", ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), "mount-proc");
    build_dev();
    mount_tmpfs(ROOT "/dev/shm", MS_NOSUID | MS_NODEV, config->tmp_size, config->tmp_inodes, "mode=1777");
    mount_tmpfs(ROOT "/tmp", MS_NOSUID | MS_NODEV, config->tmp_size, config->tmp_inodes, "mode=1777");
    if (workspace_fd >= 0) {
        make_dirs(ROOT "/workspace");
        bind_fd(workspace_fd, ROOT "/workspace", 1);
    } else {
        mount_tmpfs(ROOT "/workspace", MS_NOSUID | MS_NODEV, config->workspace_size, config->workspace_inodes,
                    "mode=0755");
    }

    /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only ours. */
    check(chdir(ROOT), "chdir-root");
    check((int)syscall(SYS_pivot_root, ".", "."), "pivot-root");
    check(umount2(".", MNT_DETACH), "detach-old-root");
    check(chdir("/"), "chdir-root");
    check(mount(NULL, "/dev", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL), "remount-dev");
    check(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL), "remount-root");
    check(chdir("/workspace"), "chdir-workspace");
}
