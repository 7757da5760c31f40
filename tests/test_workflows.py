"""CI workflows and the pre-commit hook: triggers, least permissions, and the same commands as .ci/run."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from offerdb.cli import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def make_targets(text: str) -> set[str]:
    return set(re.findall(r"\bmake\s+([a-z][\w-]*)", text))


@pytest.fixture(scope="module")
def check():
    return load("pruefen.yml")


@pytest.fixture(scope="module")
def deploy():
    return load("veroeffentlichen.yml")


def test_pull_request_workflow_triggers_and_read_only_permissions(check):
    assert set(check["on"]) == {"pull_request"}
    assert check["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in check["jobs"].values())


def test_no_workflow_runs_untrusted_code_with_secrets():
    for path in WORKFLOWS.glob("*.y*ml"):
        assert "pull_request_target" not in path.read_text(encoding="utf-8"), path.name


def test_pull_request_workflow_checks_builds_and_uploads_the_site(check):
    commands = runs(check)
    assert ".venv/bin/python build.py check --format github" in commands
    assert {"deps", "test", "site", "linkcheck", "htmlcheck"} <= make_targets(commands)
    upload = [s for s in steps(check) if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(upload) == 1 and upload[0]["with"]["path"] == "site/"
    order = [s.get("run", s.get("uses", "")) for s in steps(check)]
    assert order.index(".venv/bin/python build.py check --format github") < order.index("make site")


def test_deploy_workflow_refuses_warnings_such_as_placeholders_before_building(check, deploy):
    """Placeholders and the example address are warnings: a pull request shows them as annotations and passes,
    publishing refuses them, because its check runs with --strict before the site is built."""
    order = [s.get("run", s.get("uses", "")) for s in steps(deploy)]
    strict = ".venv/bin/python build.py check --strict --format github"
    assert strict in order
    assert order.index(strict) < order.index("make site")
    assert "--strict" not in runs(check)


def test_deploy_workflow_publishes_main_with_least_permissions(deploy):
    assert deploy["on"]["push"] == {"branches": ["main"]}
    assert "pull_request" not in deploy["on"]
    assert deploy["permissions"] == {"contents": "read"}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    jobs = deploy["jobs"]
    publish = [name for name, job in jobs.items()
               if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in job["steps"])]
    assert len(publish) == 1
    publisher = jobs[publish[0]]
    assert publisher["permissions"] == {"pages": "write", "id-token": "write"}
    assert publisher["environment"]["name"] == "github-pages"
    builders = [job for name, job in jobs.items() if name != publish[0]]
    assert all("permissions" not in job for job in builders)  # they keep the read-only default
    assert publisher["needs"] in jobs
    uploads = [s for s in steps(deploy) if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert [u["with"]["path"] for u in uploads] == ["site/"]
    assert "make site" in runs(deploy)


def test_workflows_run_what_ci_runs_and_only_existing_make_targets(check, deploy):
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_targets = make_targets(ci)
    assert ci_targets, "no make target found in .ci/run"
    makefile_targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    for workflow in (check, deploy):
        targets = make_targets(runs(workflow))
        assert ci_targets <= targets
        assert targets <= makefile_targets, f"workflow calls missing make targets: {targets - makefile_targets}"
        # The browser tests need Debian's Chromium, which `make test` installs where it is missing.
        assert re.search(r"apt-get install .*chromium", runs(workflow))
    tools = (ROOT / "tests" / "tools.sh").read_text(encoding="utf-8")
    assert re.search(r"(?m)^test: .*\btools\b", (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert "chromium" in tools and "apt-get install" in tools


PINNED = re.compile(r"uses: [\w-]+/[\w-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+")


def test_actions_are_pinned_to_a_commit_with_its_version_in_a_comment():
    """A tag can be moved to other code; a full commit SHA cannot. The comment says which release it is."""
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(- )?uses:", line):
                assert PINNED.search(line), f"{path.name}: {line.strip()}"


def test_checkouts_keep_no_credentials():
    """The checkout's token must not stay in .git/config, where later steps (and the uploaded site, were it
    ever the project folder) could read it."""
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for step in steps(load(path.name)):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, path.name


def test_test_containers_may_mount_disks_and_trace(check, deploy):
    """make test mounts small tmpfs disks (tests/test_output.py) and runs strace: both need a privileged
    container; Chromium needs more than Docker's 64 MB of shared memory."""
    for workflow in (check, deploy):
        testing = [job for job in workflow["jobs"].values()
                   if "make test" in "\n".join(s.get("run", "") for s in job["steps"])]
        assert testing
        for job in testing:
            options = job["container"]["options"].split()
            assert "--privileged" in options and "--shm-size=1g" in options


def test_zizmor_finds_nothing():
    """zizmor, offline, with the persona that reports the most; .github/zizmor.yml and the ignore comments
    in the workflows say which findings are accepted and why."""
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    assert zizmor, "zizmor fehlt: pip install -r requirements.lock"
    result = subprocess.run([zizmor, "--offline", "--persona", "auditor", ".github/workflows"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_pre_commit_hook_checks_content_with_the_locked_packages():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    (hook,) = repo["hooks"]
    assert repo["repo"] == "local"
    assert hook["entry"] == "python build.py check" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for changed in ("content/offers/neu.md", "content/vocabularies.yaml", "site.yaml",
                    "offerdb/schema/offer.schema.json"):
        assert files.search(changed), changed
    for unrelated in ("README.md", "offerdb/cli.py", "templates/base.html", "docs/site.yaml.md"):
        assert not files.search(unrelated), unrelated

    lock = dict(line.split("==") for line in (ROOT / "requirements.lock").read_text().split())
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = [re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0] for spec in wanted]
    assert sorted(hook["additional_dependencies"]) == sorted(f"{name}=={lock[name]}" for name in names), (
        "Die Pakete in .pre-commit-config.yaml müssen den Laufzeitpaketen in pyproject.toml mit den Versionen "
        "aus requirements.lock entsprechen.")
