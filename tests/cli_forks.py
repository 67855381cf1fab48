"""`subprocess.run([python, -m, incident_tui, …])` for the `cli` fixture, forked from a
warm process (tests/cli_zygote.py) instead of started cold: the same argv, environment,
working directory, stdin, captured stdout/stderr and exit code, ~0.6 s of imports
fewer per call. One zygote per test process, started on first use; where it cannot be
used (it failed to start, or the environment changes how Python itself starts) the
command runs cold, as before."""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ZYGOTE = Path(__file__).with_name("cli_zygote.py")
_zygote: dict[str, object] = {}


def _start() -> str | None:
    """The zygote's socket path, starting it the first time (None: it could not start)."""
    if "path" in _zygote:
        return _zygote["path"]  # type: ignore[return-value]
    folder = tempfile.mkdtemp(prefix="incident-tui-zygote-")
    path = os.path.join(folder, "socket")
    proc = subprocess.Popen(
        [sys.executable, str(ZYGOTE), path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    ready = proc.stdout.readline() if proc.stdout else b""  # after its imports
    if ready.strip() != b"ready":
        proc.kill()
        _zygote["path"] = None
        return None

    def stop() -> None:
        if proc.stdin:
            proc.stdin.close()  # it stops when its stdin closes
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    atexit.register(stop)
    _zygote["path"] = path
    return path


def _cold(env: dict[str, str]) -> bool:
    """Whether the child must start cold: a variable that changes how the interpreter
    starts (encoding, flags, paths) differs from this process's."""
    keys = {k for k in {*env, *os.environ} if k.startswith(("PYTHON", "LC_")) or k == "LANG"}
    return any(env.get(k) != os.environ.get(k) for k in keys)


def run_cli(
    args: list[str], *, env: dict[str, str], input: str | None, timeout: float
) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "incident_tui", *args]
    path = None if _cold(env) else _start()
    if path is None:
        return subprocess.run(
            argv, capture_output=True, text=True, env=env, input=input, timeout=timeout
        )
    with tempfile.TemporaryDirectory(prefix="incident-tui-cli-") as folder:
        files = {name: os.path.join(folder, name) for name in ("stdin", "stdout", "stderr")}
        Path(files["stdin"]).write_text(input or "", encoding="utf-8")
        for name in ("stdout", "stderr"):
            Path(files[name]).touch()
        request = {"args": args, "env": env, "cwd": os.getcwd(), **files}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout)
            connection.connect(path)
            stream = connection.makefile("rwb")
            stream.write((json.dumps(request) + "\n").encode())
            stream.flush()
            pid = int(stream.readline())
            try:
                code = int(stream.readline())
            except (TimeoutError, ValueError):
                os.kill(pid, 9)
                raise subprocess.TimeoutExpired(argv, timeout) from None
            finally:
                stream.close()
        out = Path(files["stdout"]).read_bytes().decode()
        err = Path(files["stderr"]).read_bytes().decode()
    # as subprocess.run(text=True) reads them: universal newlines
    out, err = (s.replace("\r\n", "\n").replace("\r", "\n") for s in (out, err))
    return subprocess.CompletedProcess(argv, code, out, err)
