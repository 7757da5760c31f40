"""Things that are not regular files, made in tmp_path for the loader to refuse: a FIFO, a unix socket, and
a character device (reached through a symlink to /dev/null, which needs no root to make)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# kind -> what the German problem message calls it
KINDS = {
    "fifo": "eine benannte Pipe (FIFO)",
    "socket": "ein Socket",
    "device": "ein Gerät (zeichenorientiert)",
    "fifo-link": "eine benannte Pipe (FIFO)",
}


def make(kind: str, path: Path) -> Path:
    """Create a `kind` (see KINDS) at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "fifo-link":
        target = path.with_name(f".{path.name}.fifo")  # hidden: the loader passes over it in a folder
        os.mkfifo(target)
        path.symlink_to(target.name)
    elif kind == "socket":
        # A socket address is at most 107 bytes; tmp_path can be longer, so bind by a short relative name.
        here = os.getcwd()
        os.chdir(path.parent)
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.bind(path.name)  # the file stays after the socket is closed
        finally:
            os.chdir(here)
    elif kind == "device":
        path.symlink_to("/dev/null")
    else:
        raise ValueError(kind)
    return path


def release(paths: list[Path]) -> None:
    """Let a reader blocked in opening one of these FIFOs go on (it then reads end-of-file)."""
    for path in paths:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass  # no reader waiting, or not a FIFO


def within(seconds: float, fn: Callable[[], Any], fifos: list[Path] = ()) -> Any:
    """fn()'s result, run in a thread: code that opens a FIFO for reading would block forever, so after
    `seconds` the FIFOs are released and the test fails instead of hanging."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:  # handed to the test below
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        release(list(fifos))
        thread.join(5)
        pytest.fail(f"did not finish within {seconds} s: blocked opening a FIFO?")
    if "error" in result:
        raise result["error"]
    return result["value"]


class OpenSpy:
    """Wraps os.open and records the paths opened; `monkeypatch.setattr(os, "open", spy)`."""

    def __init__(self, real: Callable[..., int]):
        self.real = real
        self.paths: list[str] = []

    def __call__(self, path: Any, *args: Any, **kwargs: Any) -> int:
        self.paths.append(os.fsdecode(path))
        return self.real(path, *args, **kwargs)
