/*
 * warden-launch: the single-threaded, statically linked program that stands between the Warden
 * server and sandboxed code. Everything between fork and exec happens here, in C, because the
 * Swift runtime is multithreaded and only async-signal-safe calls are legal after its fork.
 *
 * Order (see docs/ARCHITECTURE.md): namespaces → mounts → uid → rlimits → caps → NO_NEW_PRIVS → Landlock
 * (best effort) → seccomp → execve. Every setup failure is reported on the status fd as
 * `error <step> <errno> <text>` and the launcher exits 125: a layer is never silently skipped.
 */
#ifndef WARDEN_LAUNCH_H
#define WARDEN_LAUNCH_H

#ifndef _GNU_SOURCE
#error You must define _GNU_SOURCE
#endif

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define WL_MAX_BINDS 32
#define WL_MAX_CGROUPS 4
#define WL_EXIT_SETUP 125
/* The uid and gid the sandboxed code sees; the launcher maps them to the host ids it is given. */
#define WL_INNER_ID 1000

typedef struct {
    int resource;
    rlim_t value;
} wl_rlimit;

typedef struct {
    uid_t host_uid;
    gid_t host_gid;
    const char *seccomp_path;
    const char *workspace;          /* host directory bound read-write at /workspace, or NULL */
    uint64_t workspace_size;        /* tmpfs size for /workspace when no directory is given */
    uint64_t workspace_inodes;
    const char *ro_binds[WL_MAX_BINDS];       /* host paths */
    const char *ro_targets[WL_MAX_BINDS];     /* where they appear inside (same path by default) */
    int ro_bind_count;
    uint64_t tmp_size;
    uint64_t tmp_inodes;
    wl_rlimit rlimits[8];
    int rlimit_count;
    const char *cgroups[WL_MAX_CGROUPS];    /* groups to join, limits already set by the engine */
    int cgroup_count;
    const char *hostname;
    int status_fd;
    int standby;                    /* --standby: wait for the program on stdin (standby.c) */
    pid_t parent_pid;               /* --parent-pid: the server; its death ends the run (watch.c) */
    uint64_t deadline_ms;           /* --deadline-ms: the run is killed this long after start (0: none) */
    char **argv;                    /* program and its arguments */
    char **envp;                    /* the program's environment (from --env; the launcher's own is empty) */
    int env_count;
    /* Loaded before clone so the child never touches the host file system for it. */
    struct sock_fprog filters[2];
    int filter_count;
} wl_config;

/* report.c */
void wl_report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void wl_fail(int fd, const char *step);
int wl_write_file(const char *path, const char *text);

/* cgroup.c */
typedef struct {
    char dirs[WL_MAX_CGROUPS][512];
    char origins[WL_MAX_CGROUPS][512]; /* v1: where the launcher was, to step back out to */
    long oom_before[WL_MAX_CGROUPS];
    int count;
    int v2_fd; /* the v2 group the child is born in (CLONE_INTO_CGROUP), or -1 */
} wl_cgroups;
int wl_cgroups_enter(const wl_config *config, wl_cgroups *groups);
int wl_cgroups_oom(const wl_cgroups *groups);
void wl_cgroups_step_out(wl_cgroups *groups);
/* Moves `pid` into the v2 group (where clone3 cannot put it at birth); 0 without one. */
int wl_cgroups_move_v2(const wl_cgroups *groups, pid_t pid);

/* rootfs.c */
int wl_rootfs_prepare(const wl_config *config, int *workspace_fd, int *bind_fds);
void wl_rootfs_build(const wl_config *config, int workspace_fd, const int *bind_fds);

/* restrict.c */
int wl_load_filters(wl_config *config);
void wl_restrict(const wl_config *config);
void wl_network_loopback_up(int status_fd);

/* standby.c */
void wl_await_program(wl_config *config);

/* watch.c: what the launcher waits for once the sandbox exists */
typedef enum {
    WL_EVENT_CHILD,     /* SIGCHLD: the sandbox's init may have exited */
    WL_EVENT_STOP,      /* the server asked (SIGTERM, SIGINT, SIGHUP, SIGQUIT) */
    WL_EVENT_ORPHANED,  /* the server process is gone, however it died */
    WL_EVENT_DEADLINE,  /* --deadline-ms passed */
} wl_event;
typedef struct {
    int signal_fd;
    int parent_fd; /* pidfd of --parent-pid, or -1 */
    int timer_fd;  /* --deadline-ms, or -1 */
    int orphaned;  /* the parent was gone before its pidfd was open */
} wl_watch;
/* Blocks the handled signals and opens the watch; call before clone. -1 with errno on failure. */
int wl_watch_open(const wl_config *config, wl_watch *watch);
/* Waits for the next event; each of ORPHANED and DEADLINE is returned once. */
wl_event wl_watch_next(wl_watch *watch);

/* child.c */
_Noreturn void wl_child(wl_config *config, int sync_fd);

#endif
