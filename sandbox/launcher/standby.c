/*
 * Standby mode (`--standby`): the server builds a sandbox before any request needs it, so the
 * namespaces, the root, the cgroups, every restriction and the program's fork cost a run
 * nothing. Init, fully restricted, forks the program's process, which waits on its stdin for
 * the program: a 4-byte little-endian length, then that many bytes of NUL-terminated strings:
 * the CPU limit in seconds, the program's argv, an empty string, and its environment. Whatever
 * follows on stdin is the program's own input. EOF before a whole message means the server
 * discarded the standby: the process leaves quietly, and init with it.
 */
#include "launcher.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define WL_MAX_MESSAGE (1 << 20)

/* Reads exactly `size` bytes from stdin: never more, the rest is the program's. */
static int read_exactly(unsigned char *buffer, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(0, buffer + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

void wl_await_program(wl_config *config) {
    int fd = config->status_fd;
    unsigned char header[4];
    if (read_exactly(header, sizeof header) != 0) _exit(0);
    size_t length = (size_t)header[0] | (size_t)header[1] << 8 | (size_t)header[2] << 16 | (size_t)header[3] << 24;
    if (length < 4 || length > WL_MAX_MESSAGE) wl_fail(fd, "standby-message");
    char *text = malloc(length);
    if (!text) wl_fail(fd, "standby-message");
    if (read_exactly((unsigned char *)text, length) != 0) _exit(0);
    if (text[length - 1] != 0) wl_fail(fd, "standby-message");

    size_t count = 0;
    for (size_t i = 0; i < length; i++) count += text[i] == 0;
    char **strings = calloc(count + 2, sizeof *strings);
    if (!strings) wl_fail(fd, "standby-message");
    size_t n = 0;
    for (char *s = text; s < text + length; s += strlen(s) + 1) strings[n++] = s;

    char *end = NULL;
    errno = 0;
    unsigned long long cpu = strtoull(strings[0], &end, 10);
    if (errno || !end || *end || strings[0][0] < '0' || strings[0][0] > '9') wl_fail(fd, "standby-message");
    struct rlimit limit = {(rlim_t)cpu, (rlim_t)cpu};
    if (setrlimit(RLIMIT_CPU, &limit) != 0) wl_fail(fd, "rlimit");

    /* argv runs to the first empty string, the environment to the end (a NULL follows). */
    size_t separator = 1;
    while (separator < n && strings[separator][0] != 0) separator++;
    if (separator == 1 || separator == n || strings[1][0] != '/') wl_fail(fd, "standby-message");
    strings[separator] = NULL;
    config->argv = strings + 1;
    config->envp = strings + separator + 1;
}
