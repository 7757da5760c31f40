"""Work on the second core: a forked child never runs its parent's code."""

from __future__ import annotations

import os

from offerdb import parallel

def test_a_child_whose_parent_stopped_listening_exits_without_running_the_callers_code(tmp_path):
    parent = os.getpid()
    job = parallel.Job(lambda: b"x" * 1_000_000, fork=True)  # more than a pipe holds: the write must fail
    if os.getpid() != parent:  # reached only if the child returned from Job() into this test
        (tmp_path / "entkommen").write_text("Kind", encoding="utf-8")
        os._exit(3)
    os.close(job._read)
    _, status = os.waitpid(job._pid, 0)
    job._pid = 0
    assert os.waitstatus_to_exitcode(status) == 0
    assert not (tmp_path / "entkommen").exists()
