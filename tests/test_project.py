"""Promises the repository makes to people who clone it."""

import re
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request

from offerdb.cli import ROOT


def test_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("```sh")
    block = lines[start + 1: lines.index("```", start + 1)]
    assert [line.split("#")[0].strip() for line in block] == ["make site", "make test"]
    assert start < 4


def test_every_dependency_is_pinned_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = project["project"]["dependencies"] + project["project"]["optional-dependencies"]["test"]
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        name, _, version = line.partition("==")
        pins[name.lower().replace("_", "-")] = version
    for requirement in wanted:
        name = re.split(r"[<>=!~ ]", requirement, maxsplit=1)[0].lower()
        assert name in pins, requirement


def test_ci_runs_the_readme_test_command():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in run and "set -euo pipefail" in run


def test_site_output_is_ignored_by_git():
    assert "/site/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_readme_shows_how_to_look_at_the_built_site_and_its_command_serves_it(tmp_path):
    """site/index.html opened as a file is unstyled (root-relative links): the README's one-line server, near
    the top commands, must serve a built site with its stylesheet."""
    top = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:15])
    assert "make serve" in top
    command = re.search(r"`python3 (-m http\.server --directory site) 8000`", top)
    assert command, top
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text('<link rel="stylesheet" href="/assets/site.css">', encoding="utf-8")
    (site / "assets" / "site.css").write_text("body {}", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = command.group(1).split() + ["--bind", "127.0.0.1", str(port)]
    server = subprocess.Popen([sys.executable, *args], cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/assets/site.css", timeout=2) as response:
                    assert response.status == 200 and response.headers["Content-Type"] == "text/css"
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the README's server did not answer")
    finally:
        server.terminate()
        server.wait(timeout=10)
