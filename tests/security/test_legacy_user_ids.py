"""User ids from API keys made before the character set was enforced keep a private directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelligent_office.settings import Settings
from intelligent_office.tenants import is_valid_user_id, tenant_directory_name
from intelligent_office.workspaces import resolve_tenant_workspace


@pytest.mark.parametrize("user_id", ["a:b", "../alice", "alice/..", "_shared", "émile", "a b"])
def test_an_old_user_id_gets_its_own_hashed_directory(tmp_path: Path, user_id: str) -> None:
    settings = Settings(home=tmp_path / "home", workspace_roots=[tmp_path / "root"])

    own = resolve_tenant_workspace(settings, user_id, None)

    assert own.parent == (tmp_path / "root").resolve()
    assert own.name.startswith("_user-")
    assert own.stat().st_mode & 0o777 == 0o700
    assert not is_valid_user_id(own.name)  # never a name a current user id could have


def test_old_and_new_names_never_share_a_directory(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", workspace_roots=[tmp_path / "root"])
    names = {tenant_directory_name(user) for user in ["a", "b", "a:b", "a_b", "a:c"]}
    assert len(names) == 5
    alice = resolve_tenant_workspace(settings, "alice", None)
    with pytest.raises(Exception, match="outside the directory"):
        resolve_tenant_workspace(settings, "a:b", str(alice))
