"""Must show: the eval gate refuses a worse candidate naming the capabilities it lost,
promotes a better one, and rollback restores the old version (a small suite, offline)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from intelligent_office.learning.analysis import learn, propose_candidate
from intelligent_office.learning.gate import evaluate_candidate
from intelligent_office.learning.guidance_store import GuidanceRepository
from intelligent_office.learning.prompt_versions import PromptVersionRepository
from intelligent_office.office import TaskStatus
from tests.learning.conftest import SRC_LAYOUT, open_office, write_tree

TRACE = "Trace the call sequence from main() to helper() in proj/pkg"


def small_suite(path: Path) -> Path:
    cases = [
        {
            "id": "calc",
            "capability": "calculate",
            "task": "Calculate (2 + 3) * 4",
            "workspace": {"scratch": {}},
            "checks": {"status": "completed", "answer_contains": "20"},
        },
        {
            "id": "list",
            "capability": "list_files",
            "task": "List the .py files in proj",
            "workspace": {"scratch": SRC_LAYOUT},
            "checks": {"status": "completed", "answer_contains": "util.py"},
        },
        {
            "id": "trace-src-layout",
            "capability": "trace",
            "task": TRACE,
            "workspace": {"scratch": SRC_LAYOUT},
            "checks": {"status": "completed", "answer_contains": "-> pkg.util.helper()"},
        },
    ]
    path.write_text(yaml.safe_dump({"name": "gate", "cases": cases}))
    return path


async def test_the_gate_refuses_worse_promotes_better_and_rollback_restores(
    tmp_path: Path,
) -> None:
    office = open_office(tmp_path / "home", learning={"gate_guidance": True, "auto_promote": True})
    suite = small_suite(tmp_path / "gate.yaml")
    versions = PromptVersionRepository(office.store.engine)
    failed, _ = await office.run(TRACE, write_tree(tmp_path / "ws", SRC_LAYOUT))
    assert failed.status is TaskStatus.DEAD_LETTERED
    [learned] = learn(office.store, office.settings.learning).guidance.values()
    assert learned.status == "proposed"  # not in effect until a version with it passes

    better_id = propose_candidate(office.store)
    assert better_id == "offline-v2"
    better = versions.require(better_id)
    assert json.loads(better.text) == {"guidance": [learned.id]}
    verdict, current_run, candidate_run = await evaluate_candidate(
        office.office, better, suite, concurrency=2
    )
    assert verdict.passed, verdict.reason
    assert (current_run.passed, candidate_run.passed) == (2, 3)
    assert versions.current("offline").id == "offline-v2"
    assert versions.require("offline-v1").status == "retired"

    worse = versions.add_candidate("offline", json.dumps({"guidance": []}))
    verdict, current_run, candidate_run = await evaluate_candidate(
        office.office, worse, suite, concurrency=2
    )
    assert not verdict.passed
    assert [loss.capability for loss in verdict.lost] == ["trace"]
    assert verdict.reason == "refused: worse on trace (100% -> 0%)"
    assert versions.require(worse.id).status == "refused"
    assert versions.require(worse.id).evaluation["lost"] == ["trace"]
    assert versions.current("offline").id == "offline-v2"

    restored, retired = versions.rollback("offline")
    assert (restored.id, retired.id) == ("offline-v1", "offline-v2")
    assert versions.current("offline").id == "offline-v1"
    again, task_id = await office.run(TRACE, write_tree(tmp_path / "ws2", SRC_LAYOUT))
    assert again.status is TaskStatus.DEAD_LETTERED  # the guidance is out of effect again
    assert office.events(task_id, "prompt.version")[0]["versions"]["offline"] == "offline-v1"
    assert GuidanceRepository(office.store.engine).require(learned.id).status == "proposed"
    office.store.close()


async def test_not_better_overall_is_refused_even_with_nothing_lost(tmp_path: Path) -> None:
    office = open_office(tmp_path / "home")
    suite = small_suite(tmp_path / "gate.yaml")
    versions = PromptVersionRepository(office.store.engine)
    same = versions.add_candidate("offline", json.dumps({"guidance": []}))

    verdict, _, _ = await evaluate_candidate(office.office, same, suite, concurrency=2)

    assert not verdict.passed and verdict.lost == []
    assert verdict.reason.startswith("refused: not better overall")
    assert versions.current("offline").id == "offline-v1"
    office.store.close()
