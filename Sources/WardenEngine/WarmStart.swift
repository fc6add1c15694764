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
/// run). The supervisor gives it no other run (see ``Standby/fits(_:)``); what the loader
/// does not run itself (a run whose home has a user site, see ``startingHome``) it execs,
/// with the signals Python ignores reset, as the launcher's standby would.
enum WarmStart {
    /// The languages whose standbys start their interpreter ahead.
    static func command(for interpreter: Interpreter) -> [String]? {
        guard interpreter.language == .python else { return nil }
        return [interpreter.path] + interpreter.language.interpreterArguments + ["-c", pythonLoader]
    }

    /// The home the interpreter starts with: no user site (`~/.local/lib/pythonX.Y/site-packages`
    /// in the workspace, whose `.pth` files and `usercustomize` would otherwise run before the
    /// run's message, outside its limits, and go stale). The loader puts the run's `HOME` back,
    /// and execs the run afresh when that home has a user site.
    static let startingHome = "/nonexistent"

    /// Run with `-c`; it keeps nothing of its own in `__main__`, nor in `sys.modules`, and cuts
    /// its frames from what the script raises. What stays visible: one frame under the
    /// script's (`inspect.stack()`, `traceback.print_stack()`, `sys._getframe(1)`, a module-level
    /// `warnings.warn(stacklevel=2)`, a recursion limit reached two calls sooner), and, in
    /// `/proc/self`, the loader's command line and the starting environment.
    static let pythonLoader = #"""
        def _warden_prepare():
            import os, sys, __main__
            namespace = __main__.__dict__
            del namespace["_warden_prepare"]
            # '' (the workspace), before any import: a script's path starts with its own
            # directory, and nothing a run left there is imported before the next program.
            if sys.path and sys.path[0] == "":
                del sys.path[0]
            imported = "resource" in sys.modules
            import resource, site, _signal
            loader = sys.modules["_frozen_importlib_external"].SourceFileLoader
            cut = BaseException.with_traceback
            own = [os.fsencode(part) for part in getattr(sys, "orig_argv", [])[:-2]]
            started = dict(os.environb)

            def read(size):
                data = b""
                while len(data) < size:
                    chunk = os.read(0, size - len(data))
                    if not chunk:
                        os._exit(0)  # discarded unused
                    data += chunk
                return data

            def fail(reason=b"malformed program message"):
                os.write(2, b"warden: " + reason + b"\n")
                os._exit(127)

            # As sandbox/launcher/standby.c reads it.
            size = int.from_bytes(read(4), "little")
            if not 4 <= size <= 1 << 20:
                fail()
            body = read(size)
            fields = body[:-1].split(b"\0")
            if not body.endswith(b"\0") or not fields[0].isdigit() or b"" not in fields[1:]:
                fail()
            end = fields.index(b"", 1)
            argv, environment = fields[1:end], fields[end + 1:]
            if not argv or not argv[0].startswith(b"/") or not all(b"=" in entry for entry in environment):
                fail()
            cpu = int(fields[0])
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            if not imported:
                del sys.modules["resource"]
            wanted = dict(entry.split(b"=", 1) for entry in environment)

            def afresh():
                # What the interpreter ignores is inherited by exec: back to what a program starts with.
                for number in (_signal.SIGPIPE, _signal.SIGXFSZ):
                    _signal.signal(number, _signal.SIG_DFL)
                try:
                    os.execve(argv[0], argv, wanted)
                except OSError:
                    fail(b"cannot exec " + argv[0])

            runs_here = (
                own and argv[:-1] == own and len(argv) == len(own) + 1 and b"HOME" in wanted
                and {**started, b"HOME": wanted[b"HOME"]} == wanted
            )
            if runs_here:
                os.environb[b"HOME"] = wanted[b"HOME"]
                site.USER_BASE = site.USER_SITE = None
                runs_here = not (site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()))
            if not runs_here:
                afresh()
            path = os.fsdecode(argv[-1])
            with open(path, "rb") as file:
                source = file.read()
            sys.argv = [path]
            sys.orig_argv = [os.fsdecode(part) for part in argv]
            sys.path.insert(0, os.path.dirname(path))
            namespace["__file__"] = path
            namespace["__cached__"] = None
            namespace["__loader__"] = loader("__main__", path)

            def take():
                del namespace["_warden_take"]
                try:
                    return compile(source, path, "exec", dont_inherit=True), namespace
                except (SyntaxError, ValueError):
                    afresh()  # the interpreter says what is wrong with a script in its own words

            class Run:
                # The script's exception goes on with the loader's frames cut, so the
                # interpreter reports it, records sys.last_*, and exits as for the script's
                # own; nothing is looked up by name after the script (it may rebind builtins).
                def __enter__(self):
                    return None

                def __exit__(self, kind, error, traceback):
                    while traceback is not None and traceback.tb_frame.f_code.co_filename == "<string>":
                        traceback = traceback.tb_next
                    if error is not None:
                        cut(error, traceback)
                    return False

            namespace["_warden_take"] = take
            return Run()


        with _warden_prepare():
            exec(*_warden_take())
        """#
}
