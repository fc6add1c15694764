/*
 * What the launcher waits for once the sandbox exists: its init's exit (SIGCHLD), a stop from
 * the server (SIGTERM and friends), the server's own death, and the run's deadline. A sandbox
 * must never outlive the server, however the server dies (SIGKILL included), and a run's
 * wall-clock limit must not live only in the server's memory.
 *
 * The server's death is watched through a pidfd, not PR_SET_PDEATHSIG: the parent-death signal
 * follows the *thread* that forked, and the server spawns launchers from pool threads that come
 * and go, so it would kill runs of a live server. A pidfd becomes readable when the whole
 * process has exited. The race against an exit before the pidfd exists is closed by checking,
 * after opening it, that the launcher's parent is still that process: once reparented, it is not.
 */
#include "launcher.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

int wl_watch_open(const wl_config *config, wl_watch *watch) {
    watch->signal_fd = watch->parent_fd = watch->timer_fd = -1;
    watch->orphaned = 0;
    sigset_t handled;
    sigemptyset(&handled);
    int signals[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaddset(&handled, signals[i]);
    if (sigprocmask(SIG_BLOCK, &handled, NULL) != 0) return -1;
    watch->signal_fd = signalfd(-1, &handled, SFD_CLOEXEC);
    if (watch->signal_fd < 0) return -1;
    if (config->parent_pid > 0) {
        watch->parent_fd = (int)syscall(SYS_pidfd_open, config->parent_pid, 0);
        /* ESRCH: gone already. Otherwise the pidfd may name a recycled pid: only while it is
         * still our parent is it the server. */
        if (watch->parent_fd < 0 && errno != ESRCH) return -1;
        if (watch->parent_fd < 0 || getppid() != config->parent_pid) watch->orphaned = 1;
    }
    if (config->deadline_ms > 0) {
        watch->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
        if (watch->timer_fd < 0) return -1;
        struct itimerspec when;
        memset(&when, 0, sizeof when);
        when.it_value.tv_sec = (time_t)(config->deadline_ms / 1000);
        when.it_value.tv_nsec = (long)(config->deadline_ms % 1000) * 1000000L;
        if (timerfd_settime(watch->timer_fd, 0, &when, NULL) != 0) return -1;
    }
    return 0;
}

wl_event wl_watch_next(wl_watch *watch) {
    if (watch->orphaned == 1) {
        watch->orphaned = 2;
        return WL_EVENT_ORPHANED;
    }
    for (;;) {
        /* A source that fired is dropped from the set (a negative fd is ignored): a readable
         * pidfd or an expired timer would otherwise wake every poll. */
        struct pollfd fds[3] = {
            {.fd = watch->signal_fd, .events = POLLIN},
            {.fd = watch->parent_fd, .events = POLLIN},
            {.fd = watch->timer_fd, .events = POLLIN},
        };
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return WL_EVENT_STOP; /* cannot wait: end the run rather than hang */
        }
        if (fds[1].revents) {
            close(watch->parent_fd);
            watch->parent_fd = -1;
            return WL_EVENT_ORPHANED;
        }
        if (fds[2].revents) {
            close(watch->timer_fd);
            watch->timer_fd = -1;
            return WL_EVENT_DEADLINE;
        }
        if (fds[0].revents) {
            struct signalfd_siginfo info;
            ssize_t n = read(watch->signal_fd, &info, sizeof info);
            if (n != (ssize_t)sizeof info) continue;
            return info.ssi_signo == SIGCHLD ? WL_EVENT_CHILD : WL_EVENT_STOP;
        }
    }
}
