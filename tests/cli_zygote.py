"""A warm `incident-tui` process that forks one child per command (tests/cli_forks.py).

`python -m incident_tui` pays ~0.6 s of CPU for its imports on every run, and the suite
runs the command line hundreds of times. This process imports the command line once,
single-threaded, then serves a Unix socket: each request (argv, environment, working
directory, the paths for stdin/stdout/stderr) is run in a fresh forked child that
replaces its environment, points fds 0-2 at those files and runs `python -m
incident_tui` in-process; the child's exit status goes back over the socket.

A request is served by a forked helper that forks the command and waits for it, so a
command that dies hard (killed, `os._exit`) still reports a status, and this process
only accepts. Run as `python tests/cli_zygote.py SOCKET`; it prints "ready" when
listening and stops when its stdin closes (the test process gone).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import random
import runpy
import selectors
import signal
import socket
import sys
import traceback

TUI = ("incident_tui.app", "incident_tui.screens", "incident_tui.widgets")


def warm_up() -> None:
    """Import what the commands import lazily: the children start with it loaded."""
    import incident_tui

    for module in pkgutil.walk_packages(incident_tui.__path__, "incident_tui."):
        if module.name == "incident_tui.__main__" or module.name.startswith(TUI):
            continue
        try:
            importlib.import_module(module.name)
        except Exception:  # an optional extra not installed: the child imports it itself
            pass


def run_command(request: dict) -> None:
    """In the forked child: become `python -m incident_tui ARGS` and exit with its code."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, (path, mode) in enumerate(
        [
            (request["stdin"], os.O_RDONLY),
            (request["stdout"], os.O_WRONLY),
            (request["stderr"], os.O_WRONLY),
        ]
    ):
        opened = os.open(path, mode)
        os.dup2(opened, fd)
        os.close(opened)
    random.seed()  # the forks must not share the parent's random sequence
    sys.argv = ["incident_tui", *request["args"]]
    code = 1
    try:
        runpy.run_module("incident_tui", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if not isinstance(done.code, int | None):
            sys.stderr.write(f"{done.code}\n")
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    os._exit(code)


def serve(connection: socket.socket) -> None:
    """In a forked helper: run the request's command in a grandchild, send its pid, then
    its wait status."""
    with connection.makefile("rwb") as stream:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # waitpid below, not the handler
        request = json.loads(stream.readline())
        pid = os.fork()
        if pid == 0:
            connection.close()
            run_command(request)
        stream.write(f"{pid}\n".encode())
        stream.flush()
        _, status = os.waitpid(pid, 0)
        stream.write(f"{os.waitstatus_to_exitcode(status)}\n".encode())
        stream.flush()
    os._exit(0)


def main() -> None:
    path = sys.argv[1]
    warm_up()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wake the select; reaped below
    print("ready", flush=True)
    selector = selectors.DefaultSelector()
    selector.register(server, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select(timeout=5):
            if key.fileobj is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    return  # the test process is gone
                continue
            connection, _ = server.accept()
            if os.fork() == 0:
                server.close()
                serve(connection)
            connection.close()
        while True:  # reap the helpers that are done
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break


if __name__ == "__main__":
    main()
