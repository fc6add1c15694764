/// Interpreters started ahead of their run, in a standby sandbox.
///
/// A ready sandbox saves a run the ~4 ms of namespaces and root, but Python's own start-up
/// (~40 ms for this host's pyenv build, ~13 ms for Debian's, most of it `site` and its `.pth`
/// imports) stayed on every call. A warm standby runs the interpreter with ``pythonLoader``
/// instead of the launcher's waiting process: Python starts inside the fully restricted
/// sandbox, then blocks on stdin for the run's program message, the format a standby takes
/// (see ``LaunchPlan/program(command:environment:cpuSeconds:)``). When the message asks for
/// this interpreter with the same flags and the same environment, the loader runs the script
/// as `python -u script` would: `sys.argv`, `sys.path[0]`, `__file__`, `__main__`, the CPU limit,
/// stdin, exit statuses and tracebacks come out the same (a test compares them with a cold
/// run). Anything else (another language, an `env` argument, which Python reads at start-up)
/// is exec'd, with the signals Python ignores reset, so it runs as it would from the
/// launcher's standby.
enum WarmStart {
    /// The languages whose standbys start their interpreter ahead.
    static func command(for interpreter: Interpreter) -> [String]? {
        guard interpreter.language == .python else { return nil }
        return [interpreter.path] + interpreter.language.interpreterArguments + ["-c", pythonLoader]
    }

    /// Run with `-c`; it keeps nothing of its own in `__main__` but one frame under the
    /// script's (visible to `inspect.stack()`, left out of reported tracebacks, except a
    /// `KeyboardInterrupt`'s).
    static let pythonLoader = #"""
        def _warden_prepare():
            import os, sys, __main__
            namespace = __main__.__dict__
            del namespace["_warden_prepare"]
            # '' (the workspace), before any import: a script's path starts with its own
            # directory, and nothing a run left there is imported before the next program.
            if sys.path and sys.path[0] == "":
                del sys.path[0]
            import resource, _signal
            loader = sys.modules["_frozen_importlib_external"].SourceFileLoader
            own = [os.fsencode(part) for part in getattr(sys, "orig_argv", [])[:-2]]

            def read(size):
                data = b""
                while len(data) < size:
                    chunk = os.read(0, size - len(data))
                    if not chunk:
                        os._exit(0)  # discarded unused
                    data += chunk
                return data

            def fail(reason):
                os.write(2, b"warden: " + reason.encode() + b"\n")
                os._exit(127)

            size = int.from_bytes(read(4), "little")
            if not 4 <= size <= 1 << 20:
                fail("malformed program message")
            fields = read(size).split(b"\0")[:-1]
            try:
                cpu = int(fields[0])
                end = fields.index(b"", 1)
            except ValueError:
                fail("malformed program message")
            argv, environment = fields[1:end], fields[end + 1:]
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            current = sorted(name + b"=" + value for name, value in os.environb.items())
            if not own or argv[:-1] != own or len(argv) != len(own) + 1 or sorted(environment) != current:
                # What the interpreter ignores is inherited by exec: back to what a program starts with.
                for number in (_signal.SIGPIPE, _signal.SIGXFSZ):
                    _signal.signal(number, _signal.SIG_DFL)
                try:
                    os.execve(argv[0], argv, dict(entry.split(b"=", 1) for entry in environment))
                except OSError as error:
                    fail("cannot exec " + os.fsdecode(argv[0]) + ": " + error.strerror)
            path = os.fsdecode(argv[-1])
            with open(path, "rb") as file:
                source = file.read()
            sys.argv = [path]
            sys.orig_argv = [os.fsdecode(part) for part in argv]
            sys.path.insert(0, os.path.dirname(path))
            namespace["__file__"] = path
            namespace["__cached__"] = None
            namespace["__loader__"] = loader("__main__", path)
            try:
                code = compile(source, path, "exec", dont_inherit=True)
            except SyntaxError as error:
                sys.excepthook(type(error), error.with_traceback(None), None)
                raise SystemExit(1)
            return code, namespace


        try:
            exec(*_warden_prepare())
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as _warden_error:
            # As the interpreter reports it, without this loader's frame.
            _warden_error.__traceback__ = _warden_error.__traceback__.tb_next
            __import__("sys").excepthook(type(_warden_error), _warden_error, _warden_error.__traceback__)
            raise SystemExit(1)
        """#
}
