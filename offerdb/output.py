"""Writes the rendered site into a staging folder and swaps it into place only when complete."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def publish(files: dict[str, bytes], out_dir: Path) -> None:
    """Replace `out_dir` with exactly `files`. A failure at any point leaves the previous site in place,
    and pages of removed offers disappear because nothing of the old folder is kept."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.staging-", dir=out_dir.parent))
    previous = Path(tempfile.mkdtemp(prefix=f"{out_dir.name}.previous-", dir=out_dir.parent))
    old = previous / out_dir.name
    try:
        for rel in sorted(files):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[rel])
        staging.chmod(0o755)  # mkdtemp creates 0700; the web server must be able to read the folder
        if out_dir.exists():
            out_dir.rename(old)
        staging.rename(out_dir)
    except BaseException:
        if old.exists() and not out_dir.exists():
            old.rename(out_dir)
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(previous, ignore_errors=True)
        raise
    shutil.rmtree(previous, ignore_errors=True)
