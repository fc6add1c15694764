/*
 * Per-run cgroups, when the engine found a usable hierarchy. The engine creates the groups with
 * their limits already written (a leaf per run slot under a group per sandbox identity), so a
 * run only joins its leaf: no mkdir or rmdir on the hot path. The memory group's OOM kills are
 * reported as `memory_limit`; the pids group is a second line behind RLIMIT_NPROC. The kill is
 * the PID namespace's alone (nothing can leave it): `cgroup.kill` is not used, because on this
 * kernel (6.18) a CLONE_INTO_CGROUP child is SIGKILLed at birth when the target group's kill
 * count differs from that of the launcher's own group, as it does once a group was killed
 * (measured). The engine removes this instance's v2 leaves at start for the same reason.
 *
 * Joining must not migrate a process through `cgroup.procs`: every such write takes the kernel's
 * global threadgroup rwsem for writing, which waits for an RCU grace period (5.6 ms per run on
 * the development VM, measured). So a v1 group is joined by writing "0" to its `tasks` file,
 * which moves only the calling thread (the launcher has one) and skips that lock; the launcher
 * then steps back out the same way once the child exists. A v2 group
 * is never joined at all: the child is born in it by clone3's CLONE_INTO_CGROUP.
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

static int write_in(const char *dir, const char *file, unsigned long long value) {
    char path[640], text[32];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(text, sizeof text, "%llu", value);
    return wl_write_file(path, text);
}

/* Reads `oom_kill N` from v1 memory.oom_control or v2 memory.events; 0 when absent. */
static long oom_kills(const char *dir) {
    static const char *const files[] = {"memory.oom_control", "memory.events"};
    for (int i = 0; i < 2; i++) {
        char path[640], text[1024];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n <= 0) continue;
        text[n] = 0;
        char *found = strstr(text, "oom_kill ");
        if (found) return strtol(found + 9, NULL, 10);
    }
    return 0;
}

/*
 * The launcher's current group in the v1 hierarchy holding `dir`: the mount point (what
 * precedes "/warden-runs") plus this process's path from /proc/self/cgroup for the line whose
 * controller list (split on commas, so co-mounted "cpu,memory" works) names the mount point's
 * last component. Returns -1 when it cannot be
 * found or does not fit, so the run fails rather than staying in a group it will kill.
 */
static int origin_of(const char *dir, char *out, size_t size) {
    out[0] = 0;
    const char *cut = strstr(dir, "/warden-runs");
    if (!cut || (size_t)(cut - dir) >= 512) return -1;
    char root[512];
    snprintf(root, sizeof root, "%.*s", (int)(cut - dir), dir);
    const char *base = strrchr(root, '/');
    base = base ? base + 1 : root;
    static char text[65536];
    int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t length = 0;
    for (;;) {
        ssize_t n = read(fd, text + length, sizeof text - 1 - length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        length += (size_t)n;
        if (length == sizeof text - 1) break;
    }
    close(fd);
    text[length] = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* hierarchy-id:controller-list:path */
        char *first = strchr(line, ':');
        char *second = first ? strchr(first + 1, ':') : NULL;
        if (!second) continue;
        *second = 0;
        const char *controllers = first + 1, *path = second + 1;
        int match = 0;
        char list[256];
        snprintf(list, sizeof list, "%s", controllers);
        char *inner = NULL;
        for (char *name = strtok_r(list, ",", &inner); name; name = strtok_r(NULL, ",", &inner)) {
            if (!strcmp(name, base)) match = 1;
        }
        if (!match) continue;
        int written = snprintf(out, size, "%s%s", root, path);
        return written > 0 && (size_t)written < size ? 0 : -1;
    }
    return -1;
}

static int is_cgroup2(const char *dir) {
    struct statfs info;
    return statfs(dir, &info) == 0 && info.f_type == 0x63677270 /* CGROUP2_SUPER_MAGIC */;
}

/* Moves the calling thread (the whole launcher: it is single-threaded) into a v1 group. */
static int join_v1(const char *dir) { return write_in(dir, "tasks", 0); }

int wl_cgroups_enter(const wl_config *config, wl_cgroups *groups) {
    groups->count = 0;
    groups->v2_fd = -1;
    for (int i = 0; i < config->cgroup_count; i++) {
        int n = groups->count;
        snprintf(groups->dirs[n], sizeof groups->dirs[0], "%s", config->cgroups[i]);
        groups->origins[n][0] = 0;
        groups->oom_before[n] = oom_kills(groups->dirs[n]);
        if (is_cgroup2(groups->dirs[n])) {
            if (groups->v2_fd >= 0) {
                errno = EINVAL; /* one v2 hierarchy only */
                return -1;
            }
            groups->v2_fd = open(groups->dirs[n], O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (groups->v2_fd < 0) return -1;
            groups->count++;
            continue;
        }
        if (origin_of(groups->dirs[n], groups->origins[n], sizeof groups->origins[0]) != 0) {
            errno = ENOENT; /* where the launcher came from is unknown: it could not step back out */
            return -1;
        }
        groups->count++;
        if (join_v1(groups->dirs[n]) != 0) {
            groups->origins[n][0] = 0; /* never joined: nothing to step out of */
            return -1;
        }
    }
    return 0;
}

int wl_cgroups_oom(const wl_cgroups *groups) {
    for (int i = 0; i < groups->count; i++) {
        if (oom_kills(groups->dirs[i]) > groups->oom_before[i]) return 1;
    }
    return 0;
}

int wl_cgroups_move_v2(const wl_cgroups *groups, pid_t pid) {
    for (int i = 0; i < groups->count; i++) {
        if (is_cgroup2(groups->dirs[i])) return write_in(groups->dirs[i], "cgroup.procs", (unsigned long long)pid);
    }
    return 0;
}

void wl_cgroups_step_out(wl_cgroups *groups) {
    for (int i = 0; i < groups->count; i++) {
        if (groups->origins[i][0]) (void)join_v1(groups->origins[i]);
    }
    if (groups->v2_fd >= 0) close(groups->v2_fd);
    groups->v2_fd = -1;
}
