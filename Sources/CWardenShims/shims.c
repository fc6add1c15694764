#ifndef _GNU_SOURCE
#error You must define _GNU_SOURCE
#endif

#include "CWardenShims.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int CWardenShims_spawn(const char *path, char *const argv[], char *const envp[], const int fds[4], pid_t *pid) {
    /* A source fd numbered 0–3 could be clobbered by an earlier dup2; move such fds out first. */
    int sources[4], moved[4] = {-1, -1, -1, -1};
    for (int i = 0; i < 4; i++) {
        sources[i] = fds[i];
        if (fds[i] >= 0 && fds[i] <= 3) {
            moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 4);
            if (moved[i] < 0) return errno;
            sources[i] = moved[i];
        }
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    for (int i = 0; i < 4; i++) posix_spawn_file_actions_adddup2(&actions, sources[i], i);
    posix_spawn_file_actions_addclosefrom_np(&actions, 4);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
    int result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    for (int i = 0; i < 4; i++) {
        if (moved[i] >= 0) close(moved[i]);
    }
    return result;
}

int CWardenShims_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int CWardenShims_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int CWardenShims_errno(void) { return errno; }

int CWardenShims_landlock_abi(void) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U /* LANDLOCK_CREATE_RULESET_VERSION */);
    return abi < 0 ? 0 : (int)abi;
}

int CWardenShims_no_new_privs(void) { return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); }

int CWardenShims_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

int CWardenShims_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int CWardenShims_is_cgroup2(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return info.f_type == 0x63677270 /* CGROUP2_SUPER_MAGIC */ ? 1 : 0;
}

int CWardenShims_openat_beneath(int dirfd, const char *path, int flags, unsigned int mode, int no_symlinks) {
    struct open_how how = {
        .flags = (unsigned long long)flags,
        .mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0),
    };
    for (int attempt = 0; attempt < 64; attempt++) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0 || errno != EAGAIN) return (int)fd;
    }
    return -1;
}

const void *CWardenShims_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

int CWardenShims_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int no_replace) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, no_replace ? RENAME_NOREPLACE : 0);
}

int CWardenShims_mount_tmpfs(const char *path, unsigned long long bytes, unsigned long long inodes, unsigned int uid, unsigned int gid) {
    char options[160];
    snprintf(options, sizeof options, "size=%llu,nr_inodes=%llu,mode=0700,uid=%u,gid=%u", bytes, inodes, uid, gid);
    return mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, options);
}

int CWardenShims_unmount(const char *path) {
    return umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
}
