/*
 * Per-run cgroups, when the engine found a usable hierarchy. The engine creates the groups with
 * their limits already written (a leaf per run slot under a group per sandbox identity), so a
 * run only joins its leaf: no mkdir or rmdir on the hot path. The memory group's OOM kills are reported as `memory_limit`, the pids
 * group is a second line behind RLIMIT_NPROC, and `cgroup.kill` is a belt-and-braces kill of
 * the whole run. The launcher joins before it clones, so the sandbox's cgroup namespace is
 * rooted at the run's group, then steps back out to the group it came from (cgroup v2 allows no
 * process in a group whose children have controllers) so a kill never hits the launcher itself.
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int exists(const char *dir, const char *file) {
    char path[640];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return access(path, F_OK) == 0;
}

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
 * The launcher's current group in the hierarchy holding `dir`: the mount point (what precedes
 * "/warden-runs") plus this process's path from /proc/self/cgroup for that hierarchy: the
 * "0::" line for v2, else the line whose controller list (split on commas, so co-mounted
 * "cpu,memory" works) names the mount point's last component. Returns -1 when it cannot be
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
    int v1 = !strcmp(base, "memory") || !strcmp(base, "pids");
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
        if (!v1) {
            match = !strncmp(line, "0:", 2) && controllers[0] == 0;
        } else {
            char list[256];
            snprintf(list, sizeof list, "%s", controllers);
            char *inner = NULL;
            for (char *name = strtok_r(list, ",", &inner); name; name = strtok_r(NULL, ",", &inner)) {
                if (!strcmp(name, base)) match = 1;
            }
        }
        if (!match) continue;
        int written = snprintf(out, size, "%s%s", root, path);
        return written > 0 && (size_t)written < size ? 0 : -1;
    }
    return -1;
}

int wl_cgroups_enter(const wl_config *config, wl_cgroups *groups) {
    groups->count = 0;
    for (int i = 0; i < config->cgroup_count; i++) {
        snprintf(groups->dirs[i], sizeof groups->dirs[0], "%s", config->cgroups[i]);
        if (origin_of(groups->dirs[i], groups->origins[i], sizeof groups->origins[0]) != 0) {
            errno = ENOENT; /* where the launcher came from is unknown: it could not step back out */
            return -1;
        }
        groups->oom_before[i] = oom_kills(groups->dirs[i]);
        groups->count++;
        if (write_in(groups->dirs[i], "cgroup.procs", (unsigned long long)getpid()) != 0) return -1;
    }
    return 0;
}

int wl_cgroups_oom(const wl_cgroups *groups) {
    for (int i = 0; i < groups->count; i++) {
        if (oom_kills(groups->dirs[i]) > groups->oom_before[i]) return 1;
    }
    return 0;
}

void wl_cgroups_kill(const wl_cgroups *groups) {
    for (int i = 0; i < groups->count; i++) {
        if (exists(groups->dirs[i], "cgroup.kill")) (void)write_in(groups->dirs[i], "cgroup.kill", 1);
    }
}

void wl_cgroups_step_out(const wl_cgroups *groups) {
    for (int i = 0; i < groups->count; i++) {
        if (groups->origins[i][0]) (void)write_in(groups->origins[i], "cgroup.procs", (unsigned long long)getpid());
    }
}
