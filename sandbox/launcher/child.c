/*
 * The first process inside the new namespaces. It builds the sandbox's root, restricts itself,
 * then forks the program and stays behind as PID 1: a minimal init that reaps orphans, so the program keeps
 * normal signal semantics (PID 1 ignores unhandled signals) and zombies never pile up. When the
 * program exits, init reports its status and exits, and the kernel kills the rest of the PID
 * namespace: nothing the program started (double-forked daemons included) survives it.
 */
#include "launcher.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Becomes the inner uid/gid (the host's unprivileged ids) while keeping capabilities for setup. */
static void become_sandbox_user(int fd) {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) wl_fail(fd, "keepcaps");
    if (setgroups(0, NULL) != 0) wl_fail(fd, "setgroups");
    if (setresgid(WL_INNER_ID, WL_INNER_ID, WL_INNER_ID) != 0) wl_fail(fd, "setgid");
    if (setresuid(WL_INNER_ID, WL_INNER_ID, WL_INNER_ID) != 0) wl_fail(fd, "setuid");
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) wl_fail(fd, "capget");
    data[0].effective = data[0].permitted;
    data[1].effective = data[1].permitted;
    if (syscall(SYS_capset, &header, data) != 0) wl_fail(fd, "capset");
}

static void reset_signals(void) {
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) (void)sigaction(sig, &fallback, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The program inherits every restriction from init; it only detaches from any terminal. A
 * standby's program process is forked when the sandbox is built and waits here for its program,
 * so a run pays for an exec but not for a fork (~0.15 ms here). */
_Noreturn static void exec_program(wl_config *config) {
    reset_signals();
    if (setsid() < 0) wl_fail(config->status_fd, "setsid");
    if (config->standby) wl_await_program(config);
    execve(config->argv[0], config->argv, config->envp);
    wl_fail(config->status_fd, "exec");
}

_Noreturn static void run_init(wl_config *config, pid_t program) {
    int fd = config->status_fd;
    /* Only the program's tree holds its stdio, so the pipes end when it does. */
    for (int i = 0; i < 3; i++) close(i);
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid == program) {
            int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
            /* With what the program (and every orphan reaped so far) used, so the server can
             * answer before the namespaces are torn down (see Pump). */
            struct rusage usage;
            memset(&usage, 0, sizeof usage);
            getrusage(RUSAGE_CHILDREN, &usage);
            wl_report(fd, "child %d %d %ld %ld %ld", code, sig,
                      usage.ru_utime.tv_sec * 1000000L + usage.ru_utime.tv_usec,
                      usage.ru_stime.tv_sec * 1000000L + usage.ru_stime.tv_usec, usage.ru_maxrss);
            _exit(sig ? 128 + sig : code);
        }
        if (pid < 0 && errno != EINTR) _exit(WL_EXIT_SETUP);
    }
}

/* Init dies with the launcher (and so does the whole sandbox, its PID namespace). The kernel
 * clears the parent-death signal on every change of credentials, so it is armed again after
 * each; and since the launcher may have died before that, its end of the sync pipe, which it
 * holds until it exits, is checked for a hang-up after arming. */
static void die_with_launcher(int fd, int sync_fd) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) wl_fail(fd, "pdeathsig");
    struct pollfd launcher = {.fd = sync_fd, .events = POLLIN};
    if (poll(&launcher, 1, 0) < 0 || (launcher.revents & (POLLHUP | POLLERR))) _exit(WL_EXIT_SETUP);
}

_Noreturn void wl_child(wl_config *config, int sync_fd) {
    int fd = config->status_fd;
    die_with_launcher(fd, sync_fd);
    char go = 0;
    /* The parent writes our uid/gid maps, then one byte; EOF means it failed or died. */
    if (read(sync_fd, &go, 1) != 1 || go != 'g') _exit(WL_EXIT_SETUP);
    /* Made here rather than by clone: the namespace is rooted at the groups this process is in
     * now, so /proc/self/cgroup shows "/" in every hierarchy, not the host's layout. */
    if (unshare(CLONE_NEWCGROUP) != 0) wl_fail(fd, "cgroup-namespace");
    /* Opened here, in the new mount namespace (a bind source must belong to it), and before
     * the identity change (the sources may sit under a root-only directory such as /root). */
    int workspace_fd, bind_fds[WL_MAX_BINDS];
    if (wl_rootfs_prepare(config, &workspace_fd, bind_fds) != 0) wl_fail(fd, "open-bind-source");
    become_sandbox_user(fd);
    die_with_launcher(fd, sync_fd);
    close(sync_fd);
    if (sethostname(config->hostname, strlen(config->hostname)) != 0) wl_fail(fd, "sethostname");
    wl_network_loopback_up(fd);
    wl_rootfs_build(config, workspace_fd, bind_fds);
    if (workspace_fd >= 0) close(workspace_fd);
    for (int i = 0; i < config->ro_bind_count; i++) {
        if (bind_fds[i] >= 0) close(bind_fds[i]);
    }
    /* Restrict init itself (rlimits, caps, NO_NEW_PRIVS, Landlock, seccomp last), then fork:
     * the program inherits all of it, and nothing is built twice. Not dumpable, so the program
     * cannot reach init through /proc/1 (exec makes the program itself dumpable again). */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) wl_fail(fd, "dumpable");
    wl_restrict(config);
    pid_t program = fork();
    if (program < 0) wl_fail(fd, "fork");
    if (program == 0) exec_program(config);
    run_init(config, program);
}
