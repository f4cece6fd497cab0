"""The learning pages over HTTP against the real app: causes and guidance, a gap's "Build
tool" button (the draft tested in the sandbox), review and approval; admins only."""

from __future__ import annotations

from tests.api.conftest import LiveServer
from tests.tools.builder.conftest import RatesAPI, rates_api
from tests.ui.conftest import ui_client

from intelligent_office.learning.guidance_store import GuidanceRepository
from intelligent_office.tools.builder.registry import registered_servers

__all__ = ["rates_api"]  # the fixture, used by name below


def test_an_admin_builds_reviews_and_approves_a_tool_from_a_gap_in_the_ui(
    live: LiveServer, rates_api: RatesAPI
) -> None:
    port = rates_api.server_address[1]
    request = f"What is the USD rate in the JSON at http://127.0.0.1:{port}/rates.json?"
    live.store.tool_gaps.add(
        task_id="t-gap",
        subtask_id="s1",
        report={"request": request, "missing_capabilities": ["http_fetch"], "missing_tools": []},
    )
    [gap] = live.store.tool_gaps.recent()
    operator = ui_client(live, live.key("alice", "operator"))
    assert operator.get("/ui/gaps").status_code == 403
    assert operator.post(f"/ui/gaps/{gap.id}/build").status_code == 403
    admin = ui_client(live, live.key("root", "admin"))

    listing = admin.get("/ui/gaps")
    assert listing.status_code == 200
    assert f'action="/ui/gaps/{gap.id}/build"' in listing.text and "Build tool" in listing.text

    built = admin.post(f"/ui/gaps/{gap.id}/build")
    assert built.status_code == 303
    draft_page = built.headers["location"]
    review = admin.get(draft_page)
    assert review.status_code == 200
    assert 'data-status="tested"' in review.text
    assert "Ran 3 tests" in review.text and "ALLOWED_HOSTS" in review.text
    assert "risk <strong>low</strong>" in review.text

    approved = admin.post(draft_page + "/approve", data={"comment": "read the code"})
    assert approved.status_code == 303
    assert 'data-status="registered"' in admin.get(draft_page).text
    assert [server.name for server in registered_servers(live.store)] == ["api-rates"]
    audit = [(e.actor, e.action) for e in live.store.audit.recent(limit=50)]
    assert ("root", "tool.approved") in audit and ("root", "tool.tested") in audit

    learn = admin.get("/ui/learn")
    [guidance] = GuidanceRepository(live.store.engine).all()
    assert guidance.id in learn.text and "api-rates.get_json" in learn.text
    disabled = admin.post(f"/ui/learn/guidance/{guidance.id}/disable")
    assert disabled.status_code == 303
    assert GuidanceRepository(live.store.engine).require(guidance.id).status == "disabled"
