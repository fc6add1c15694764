/*
 * Per-run cgroups, when the engine found a usable hierarchy: a memory limit whose OOM kills are
 * reported as `memory_limit`, a pids limit as a second line behind RLIMIT_NPROC, and `cgroup.kill`
 * as a belt-and-braces kill of the whole run. The launcher joins the run's cgroup before it
 * clones, so the sandbox's cgroup namespace is rooted there and it cannot see or leave it.
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

int wl_cgroups_enter(const wl_config *config, wl_cgroups *groups) {
    groups->count = 0;
    for (int i = 0; i < config->cgroup_count; i++) {
        char *dir = groups->dirs[groups->count];
        snprintf(dir, sizeof groups->dirs[0], "%s/run-%d", config->cgroups[i], (int)getpid());
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;
        groups->count++;
        if (config->memory_limit) {
            if (exists(dir, "memory.limit_in_bytes")) {           /* cgroup v1 */
                if (write_in(dir, "memory.limit_in_bytes", config->memory_limit) != 0) return -1;
                if (exists(dir, "memory.memsw.limit_in_bytes"))
                    (void)write_in(dir, "memory.memsw.limit_in_bytes", config->memory_limit);
            } else if (exists(dir, "memory.max")) {               /* cgroup v2 */
                if (write_in(dir, "memory.max", config->memory_limit) != 0) return -1;
                if (exists(dir, "memory.swap.max")) (void)write_in(dir, "memory.swap.max", 0);
            }
        }
        if (config->pids_limit && exists(dir, "pids.max")) {
            if (write_in(dir, "pids.max", config->pids_limit) != 0) return -1;
        }
        if (write_in(dir, "cgroup.procs", (unsigned long long)getpid()) != 0) return -1;
    }
    return 0;
}

/* Reads `oom_kill N` from v1 memory.oom_control or v2 memory.events. */
static long oom_kills(const char *dir, const char *file) {
    char path[640], text[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return 0;
    text[n] = 0;
    char *found = strstr(text, "oom_kill ");
    return found ? strtol(found + 9, NULL, 10) : 0;
}

int wl_cgroups_oom(const wl_cgroups *groups) {
    for (int i = 0; i < groups->count; i++) {
        if (oom_kills(groups->dirs[i], "memory.oom_control") > 0) return 1;
        if (oom_kills(groups->dirs[i], "memory.events") > 0) return 1;
    }
    return 0;
}

void wl_cgroups_kill(const wl_cgroups *groups) {
    for (int i = 0; i < groups->count; i++) {
        if (exists(groups->dirs[i], "cgroup.kill")) (void)write_in(groups->dirs[i], "cgroup.kill", 1);
    }
}

/* Moves the launcher back to the parent groups: it joined only so that its child is created
 * inside (and the child's cgroup namespace is rooted there); a kill must not hit the launcher. */
void wl_cgroups_step_out(const wl_cgroups *groups) {
    for (int i = 0; i < groups->count; i++) {
        char parent[512];
        snprintf(parent, sizeof parent, "%s", groups->dirs[i]);
        char *slash = strrchr(parent, '/');
        if (!slash) continue;
        *slash = 0;
        (void)write_in(parent, "cgroup.procs", (unsigned long long)getpid());
    }
}

void wl_cgroups_remove(const wl_cgroups *groups) {
    for (int i = 0; i < groups->count; i++) {
        /* Killed members may take a moment to leave; give up after ~200 ms (the engine sweeps). */
        for (int attempt = 0; attempt < 200; attempt++) {
            if (rmdir(groups->dirs[i]) == 0 || errno == ENOENT) break;
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
        }
    }
}
