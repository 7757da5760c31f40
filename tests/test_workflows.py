"""CI workflows and the pre-commit hook: triggers, least permissions, and the same commands as .ci/run."""

from __future__ import annotations

import re
import tomllib

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


def test_actions_are_pinned_to_a_version(check, deploy):
    for workflow in (check, deploy):
        for step in steps(workflow):
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@(v\d+(\.\d+)*|[0-9a-f]{40})", step["uses"]), step["uses"]


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
