/*
 * One-line C shims for what Swift's Glibc module hides or cannot express: the posix_spawn file
 * actions and attributes glibc keeps behind _GNU_SOURCE (closefrom), and the pidfd syscalls,
 * which glibc 2.36 does not wrap.
 */
#ifndef CWARDEN_SHIMS_H
#define CWARDEN_SHIMS_H

#include <stddef.h>
#include <sys/types.h>

/// Spawns `path` with `fds[0...3]` as its fds 0–3 and nothing else open, every signal at its
/// default and none blocked, in its own process group. Never forks the caller's address space:
/// glibc's posix_spawn uses CLONE_VM|CLONE_VFORK. Returns 0 or an errno value.
int CWardenShims_spawn(const char *path, char *const argv[], char *const envp[], const int fds[4], pid_t *pid);

/// pidfd_open(2); -1 with errno on failure.
int CWardenShims_pidfd_open(pid_t pid);

/// pidfd_send_signal(2); -1 with errno on failure.
int CWardenShims_pidfd_send_signal(int pidfd, int sig);

/// The Landlock ABI version the kernel supports, or 0 without Landlock.
int CWardenShims_landlock_abi(void);

/// prctl(PR_GET_NO_NEW_PRIVS): 0 or 1 when the kernel supports the flag, -1 otherwise.
int CWardenShims_no_new_privs(void);

/// pipe2(2), which Swift's Glibc module hides behind _GNU_SOURCE.
int CWardenShims_pipe2(int fds[2], int flags);

/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), which Swift's Glibc module does not export; -1 with errno.
int CWardenShims_eventfd(void);

/// 1 when `path` is on a cgroup2 file system, 0 when not, -1 when it cannot be examined.
int CWardenShims_is_cgroup2(const char *path);

/// The errno of the calling thread, read in C so no Swift code runs between the call and here.
int CWardenShims_errno(void);

/// O_PATH (010000000 on Linux), which Swift's Glibc module hides behind _GNU_SOURCE.
#define CWARDEN_O_PATH 0x200000

/// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (| RESOLVE_NO_SYMLINKS when
/// `no_symlinks`), retried while the kernel reports a racing rename (EAGAIN); -1 with errno.
int CWardenShims_openat_beneath(int dirfd, const char *path, int flags, unsigned int mode, int no_symlinks);

/// memmem(3) (linear two-way search), hidden behind _GNU_SOURCE.
const void *CWardenShims_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

/// renameat2(2); `no_replace` sets RENAME_NOREPLACE. -1 with errno on failure.
int CWardenShims_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int no_replace);

/// Mounts a tmpfs of at most `bytes` and `inodes` on `path` (nosuid, nodev), its root owned by
/// `uid`:`gid` with mode 0700. -1 with errno on failure.
int CWardenShims_mount_tmpfs(const char *path, unsigned long long bytes, unsigned long long inodes, unsigned int uid, unsigned int gid);

/// umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW); -1 with errno on failure.
int CWardenShims_unmount(const char *path);

#endif
