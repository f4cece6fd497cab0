"""summarize_file through the Office on real files of installed packages: the review approves."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import click
import numpy
import pytest

from intelligent_office.tools.prose import split_sentences
from tests.office.conftest import TaskRunner


def _real_files(tmp_path: Path) -> Path:
    """Real documents of installed packages, copied into one workspace."""
    root = tmp_path / "real"
    root.mkdir()
    click_dist = importlib.metadata.distribution("click")
    metadata = Path(str(click_dist.locate_file(""))) / f"click-{click_dist.version}.dist-info"
    shutil.copy(Path(numpy.__file__).parent / "ma" / "README.rst", root / "README.rst")
    shutil.copy(Path(click.__file__).parent / "core.py", root / "core.py")
    shutil.copy(metadata / "licenses" / "LICENSE.txt", root / "LICENSE.txt")
    body = (metadata / "METADATA").read_text().split("\n\n", 1)[1]  # the long description
    (root / "click.md").write_text(body)
    return root


@pytest.mark.parametrize("name", ["README.rst", "core.py", "LICENSE.txt", "click.md"])
async def test_real_files_are_summarized_and_the_review_approves(
    run_task: TaskRunner, tmp_path: Path, name: str
) -> None:
    root = _real_files(tmp_path)
    done = await run_task(f"Summarize the file {name}", root)
    assert done.output.status.value == "completed", done.output.failure_reason
    summary = done.output.subtasks["s1"].details
    assert isinstance(summary, dict)
    sentences = split_sentences((root / name).read_text(), name)
    for sentence in summary["summary"]:
        assert isinstance(sentence, str)
        assert sentence.removesuffix("…") and any(
            s.startswith(sentence.removesuffix("…")) for s in sentences
        )
        for markup in ("``", ":class:`", ">>", "](", "::", "def ", '"""'):
            assert markup not in sentence
