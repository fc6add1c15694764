# Warden: build with the Swift toolchain, run on slim Debian.
#
#   docker build -t warden .
#   docker run --rm -p 127.0.0.1:8080:8080 -e WARDEN_TOKEN=change-me --cap-add SYS_ADMIN \
#     --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     --security-opt systempaths=unconfined warden
#
# The server listens on 0.0.0.0 inside the container, so it refuses to start without a bearer
# token (WARDEN_TOKEN or --token). `docker run ... warden doctor` checks the layers instead.
#
# The three security options let the launcher create its own user, PID and mount namespaces and
# mount a fresh /proc inside the container; SYS_ADMIN lets the server mount each session's
# workspace tmpfs (see README.md, "Containers"). The image does not need --privileged.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libseccomp-dev libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources Sources
COPY Tests Tests
COPY sandbox sandbox
# As `make run` builds it: the Swift runtime and Foundation linked in (less resident memory).
RUN swift build -c release --static-swift-stdlib --product warden \
    && swift build -c release --static-swift-stdlib --product warden-launch \
    && mkdir -p /out/bin /out/share/warden \
    && cp .build/release/warden .build/release/warden-launch /out/bin/ \
    && cp sandbox/seccomp.policy /out/share/warden/

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libseccomp2 libcurl4 libstdc++6 python3 bash nodejs ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build /out/share/ /usr/local/share/
# The service runs as the container's root: it mounts a quota-bounded tmpfs per session
# workspace and maps each sandbox to its own unprivileged uid (200000 and up). Sandboxed code
# never runs as root: it gets its own user namespace and no capabilities at all.
RUN mkdir -p /var/lib/warden/workspaces
WORKDIR /var/lib/warden
ENV WARDEN_WORKSPACE_ROOT=/var/lib/warden/workspaces
ENV WARDEN_POLICY=/usr/local/share/warden/seccomp.policy
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/warden"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
