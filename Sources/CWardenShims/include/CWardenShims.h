/*
 * One-line C shims for what Swift's Glibc module hides or cannot express: the posix_spawn file
 * actions and attributes glibc keeps behind _GNU_SOURCE (closefrom), and the pidfd syscalls,
 * which glibc 2.36 does not wrap.
 */
#ifndef CWARDEN_SHIMS_H
#define CWARDEN_SHIMS_H

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

/// 1 when `path` is on a cgroup2 file system, 0 when not, -1 when it cannot be examined.
int CWardenShims_is_cgroup2(const char *path);

/// The errno of the calling thread, read in C so no Swift code runs between the call and here.
int CWardenShims_errno(void);

#endif
