/*
 * warden-launch: argument parsing and the parent side. The parent stays outside the sandbox,
 * writes the child's uid/gid maps, joins the run's cgroups, waits, turns SIGTERM from the server,
 * the server's death or the run's deadline into a SIGKILL of the sandbox's PID 1 (which takes
 * the whole PID namespace), and reports
 * `exit <code> <signal> <user-µs> <system-µs> <max-rss-KiB> <oom>` on the status fd.
 *
 * Usage: warden-launch --uid N --gid N --seccomp FILE [options] -- PROGRAM [ARGS...]
 *        warden-launch --uid N --gid N --seccomp FILE [options] --standby
 *   --workspace DIR          bind DIR read-write at /workspace (else a tmpfs of --workspace-size)
 *   --workspace-size BYTES   --workspace-inodes N
 *   --ro-bind PATH[:TARGET]  read-only bind, at the same path or TARGET (repeatable; a symlink
 *                            source is recreated as the same symlink)
 *   --tmp-size BYTES         --tmp-inodes N     (/tmp and /dev/shm)
 *   --rlimit NAME=VALUE      as, cpu, nproc, nofile, fsize (soft = hard)
 *   --cgroup DIR             a cgroup to run in, limits already written (repeatable)
 *   --env NAME=VALUE         a variable of the program's environment (repeatable); the
 *                            launcher itself runs with an empty environment, so nothing the
 *                            caller chose can steer it (GLIBC_TUNABLES and the like)
 *   --hostname NAME          --status-fd N (default 3)
 *   --parent-pid PID         the server: when that process ends, however it dies, the sandbox
 *                            is killed (watch.c); a launcher whose parent is already another
 *                            process kills its sandbox at once
 *   --deadline-ms MS         kill the sandbox this long after the launcher started, whatever
 *                            the server does (a backstop behind the server's own timeout)
 *   --standby                build and restrict the sandbox now, then take the program, its
 *                            environment and its CPU limit from stdin (see standby.c); no
 *                            `-- PROGRAM` then
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* SwiftPM links executables with swiftrt.o, which registers with the Swift runtime; this C
 * program has no Swift code, so an empty hook keeps the runtime (and its dlopen) out of the
 * static binary. */
void swift_addNewDSOImage(const void *header) { (void)header; }

static _Noreturn void usage(const char *problem) {
    fprintf(stderr, "warden-launch: %s\n", problem);
    _exit(WL_EXIT_SETUP);
}

static uint64_t number(const char *text) {
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno || !end || *end || text[0] == '-' || text[0] == 0) usage("invalid number");
    return value;
}

static void add_rlimit(wl_config *config, const char *spec) {
    static const struct { const char *name; int resource; } names[] = {
        {"as", RLIMIT_AS}, {"cpu", RLIMIT_CPU}, {"nproc", RLIMIT_NPROC},
        {"nofile", RLIMIT_NOFILE}, {"fsize", RLIMIT_FSIZE},
    };
    const char *equals = strchr(spec, '=');
    if (!equals || config->rlimit_count >= 8) usage("invalid --rlimit");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].name) == (size_t)(equals - spec) && !strncmp(spec, names[i].name, (size_t)(equals - spec))) {
            config->rlimits[config->rlimit_count].resource = names[i].resource;
            config->rlimits[config->rlimit_count].value = (rlim_t)number(equals + 1);
            config->rlimit_count++;
            return;
        }
    }
    usage("unknown --rlimit name");
}

static void parse(wl_config *config, int argc, char **argv) {
    memset(config, 0, sizeof *config);
    config->envp = calloc((size_t)argc + 1, sizeof *config->envp);
    if (!config->envp) usage("out of memory");
    config->status_fd = 3;
    config->hostname = "sandbox";
    config->tmp_size = 64 << 20;
    config->tmp_inodes = 4096;
    config->workspace_size = 64 << 20;
    config->workspace_inodes = 4096;
    int i = 1;
    for (; i < argc; i++) {
        const char *flag = argv[i];
        if (!strcmp(flag, "--")) { i++; break; }
        if (!strcmp(flag, "--standby")) { config->standby = 1; continue; }
        if (i + 1 >= argc) usage("missing value");
        const char *value = argv[++i];
        if (!strcmp(flag, "--uid")) config->host_uid = (uid_t)number(value);
        else if (!strcmp(flag, "--gid")) config->host_gid = (gid_t)number(value);
        else if (!strcmp(flag, "--seccomp")) config->seccomp_path = value;
        else if (!strcmp(flag, "--workspace")) config->workspace = value;
        else if (!strcmp(flag, "--workspace-size")) config->workspace_size = number(value);
        else if (!strcmp(flag, "--workspace-inodes")) config->workspace_inodes = number(value);
        else if (!strcmp(flag, "--tmp-size")) config->tmp_size = number(value);
        else if (!strcmp(flag, "--tmp-inodes")) config->tmp_inodes = number(value);
        else if (!strcmp(flag, "--hostname")) config->hostname = value;
        else if (!strcmp(flag, "--status-fd")) config->status_fd = (int)number(value);
        else if (!strcmp(flag, "--parent-pid")) config->parent_pid = (pid_t)number(value);
        else if (!strcmp(flag, "--deadline-ms")) config->deadline_ms = number(value);
        else if (!strcmp(flag, "--rlimit")) add_rlimit(config, value);
        else if (!strcmp(flag, "--env")) {
            if (!strchr(value, '=') || value[0] == '=') usage("invalid --env");
            config->envp[config->env_count++] = (char *)value;
        }
        else if (!strcmp(flag, "--ro-bind")) {
            if (config->ro_bind_count >= WL_MAX_BINDS || value[0] != '/') usage("invalid --ro-bind");
            char *copy = strdup(value);
            char *colon = copy ? strchr(copy, ':') : NULL;
            if (colon) *colon = 0;
            if (colon && colon[1] != '/') usage("invalid --ro-bind target");
            config->ro_binds[config->ro_bind_count] = copy;
            config->ro_targets[config->ro_bind_count++] = colon ? colon + 1 : copy;
        } else if (!strcmp(flag, "--cgroup")) {
            if (config->cgroup_count >= WL_MAX_CGROUPS || value[0] != '/') usage("invalid --cgroup");
            config->cgroups[config->cgroup_count++] = value;
        } else usage("unknown option");
    }
    if (config->standby) {
        if (i < argc || config->env_count) usage("--standby takes its program and environment on stdin");
    } else {
        if (i >= argc) usage("missing program");
        config->argv = argv + i;
        if (config->argv[0][0] != '/') usage("program must be an absolute path");
    }
    /* Never map the sandbox to host root: RLIMIT_NPROC is not enforced for it. */
    if (config->host_uid == 0 || config->host_gid == 0) usage("--uid and --gid must be non-zero");
    if (!config->seccomp_path) usage("missing --seccomp");
    if (config->status_fd < 3) usage("--status-fd must be 3 or more");
}

static int write_map(pid_t pid, const char *file, unsigned host_id) {
    char path[64], map[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    snprintf(map, sizeof map, "%d %u 1\n", WL_INNER_ID, host_id);
    return wl_write_file(path, map);
}

static long micros(struct timeval t) { return t.tv_sec * 1000000L + t.tv_usec; }

/* Copies the arguments to the heap and zeroes the originals: init is a fork of this process,
 * and the sandbox can read init's /proc/1/cmdline, which would show host paths and uids. */
static char **hide_arguments(int argc, char **argv) {
    char **copy = calloc((size_t)argc + 1, sizeof *copy);
    if (!copy) usage("out of memory");
    for (int i = 0; i < argc; i++) {
        copy[i] = strdup(argv[i]);
        if (!copy[i]) usage("out of memory");
    }
    char *start = argv[0], *end = argv[argc - 1] + strlen(argv[argc - 1]);
    memset(start, 0, (size_t)(end - start));
    return copy;
}

int main(int argc, char **argv) {
    wl_config config;
    argv = hide_arguments(argc, argv);
    parse(&config, argc, argv);
    int fd = config.status_fd;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) usage("status fd is not open");
    /* Only stdio and the status fd may be open; anything else the server leaked stops here. */
    if ((fd > 3 && syscall(SYS_close_range, 3u, (unsigned)fd - 1, 0u) != 0) ||
        syscall(SYS_close_range, (unsigned)fd + 1, ~0u, 0u) != 0) {
        for (int other = 3; other < 1024; other++) {
            if (other != fd) close(other);
        }
    }
    if (wl_load_filters(&config) != 0) wl_fail(fd, "load-seccomp");

    wl_cgroups groups;
    if (wl_cgroups_enter(&config, &groups) != 0) {
        int saved = errno;
        wl_cgroups_step_out(&groups);
        errno = saved;
        wl_fail(fd, "cgroup");
    }
    /* A status write after the server is gone must not kill the launcher before its sandbox. */
    signal(SIGPIPE, SIG_IGN);
    wl_watch watch;
    if (wl_watch_open(&config, &watch) != 0) {
        int saved = errno;
        wl_cgroups_step_out(&groups);
        errno = saved;
        wl_fail(fd, "watch");
    }

    int sync[2];
    if (pipe2(sync, O_CLOEXEC) != 0) wl_fail(fd, "pipe");
    /* The cgroup namespace is made by the child once it sits in its groups (see wl_child). */
    unsigned long long flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
    pid_t child = -1;
    int settled = 0; /* clone3 made the child, or failed for a reason a plain clone would share */
    if (groups.v2_fd >= 0) {
        struct clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = flags | CLONE_INTO_CGROUP;
        args.exit_signal = SIGCHLD;
        args.cgroup = (unsigned long long)groups.v2_fd;
        child = (pid_t)syscall(SYS_clone3, &args, sizeof args);
        /* Without clone3 or CLONE_INTO_CGROUP here, the plain clone below and a move follow. */
        settled = !(child < 0 && (errno == ENOSYS || errno == E2BIG || errno == EINVAL || errno == EPERM));
    }
    if (!settled) {
        child = (pid_t)syscall(SYS_clone, (long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
        /* Moved (slowly, through cgroup.procs) before the child may go on. */
        if (child > 0 && groups.v2_fd >= 0 && wl_cgroups_move_v2(&groups, child) != 0) {
            wl_report(fd, "error cgroup %d %s", errno, strerror(errno));
            kill(child, SIGKILL);
            waitpid(child, NULL, 0);
            wl_cgroups_step_out(&groups);
            _exit(WL_EXIT_SETUP);
        }
    }
    if (child < 0) {
        int saved = errno;
        wl_cgroups_step_out(&groups);
        errno = saved;
        wl_fail(fd, "clone");
    }
    if (child == 0) {
        close(sync[1]);
        if (groups.v2_fd >= 0) close(groups.v2_fd);
        int watched[] = {watch.signal_fd, watch.parent_fd, watch.timer_fd};
        for (size_t i = 0; i < sizeof watched / sizeof watched[0]; i++) {
            if (watched[i] >= 0) close(watched[i]);
        }
        wl_child(&config, sync[0]);
    }
    close(sync[0]);
    /* The sandbox has the program's stdio now. Letting go of ours means the server sees the
     * output end when the program's tree ends, not after the namespaces are torn down. */
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) wl_fail(fd, "open-null");
    for (int i = 0; i < 3; i++) {
        if (dup2(null_fd, i) < 0) wl_fail(fd, "dup2");
    }
    if (null_fd > 2) close(null_fd);
    wl_cgroups_step_out(&groups);
    int killed = 0;
    if (write_map(child, "uid_map", config.host_uid) != 0 || write_map(child, "gid_map", config.host_gid) != 0) {
        wl_report(fd, "error id-map %d %s", errno, strerror(errno));
        kill(child, SIGKILL);
        killed = 1;
    } else if (write(sync[1], "g", 1) != 1) {
        kill(child, SIGKILL);
        killed = 1;
    }
    /* sync[1] stays open while the launcher lives: the child watches it for a hang-up to close
     * its own race against this process's death (see wl_child). */

    int status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    for (;;) {
        wl_event event = wl_watch_next(&watch);
        if (event != WL_EVENT_CHILD) {
            /* Asked to stop, orphaned or past the deadline: PID 1's death takes the whole
             * namespace. */
            kill(child, SIGKILL);
            killed = 1;
            continue;
        }
        pid_t done = wait4(child, &status, WNOHANG, &usage);
        if (done == child) break;
    }
    int oom = wl_cgroups_oom(&groups);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    wl_report(fd, "exit %d %d %ld %ld %ld %d %d", code, sig, micros(usage.ru_utime), micros(usage.ru_stime),
              usage.ru_maxrss, oom, killed);
    if (sig) return 128 + sig;
    return code;
}
