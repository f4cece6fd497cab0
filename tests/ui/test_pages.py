"""The web UI's pages over HTTP, against the real app: sign-in and its cookie, CSRF,
escaping, tenant isolation and roles. (The browser test walks the happy path.)"""

from __future__ import annotations

import re

import httpx2 as httpx
from tests.api.conftest import LiveServer
from tests.records import llm_call
from tests.ui.conftest import ui_client

from intelligent_office.models import Task


def alice_task(live: LiveServer, description: str = "Calculate 6 * 7") -> str:
    """A task of alice's with a pending approval and a dead letter, stored directly."""
    task = Task(description=description, user_id="alice")
    live.store.tasks.create(
        task_id=task.task_id,
        user_id="alice",
        description=description,
        body=task.model_dump(mode="json"),
        status="dead_lettered",
    )
    live.store.approvals.request(
        approval_id=f"ap-{task.task_id}",
        task_id=task.task_id,
        run_id=None,
        kind="tool",
        subject="step save: write_file report.md",
        detail={},
    )
    live.store.dead_letters.add(
        dead_letter_id=f"dl-{task.task_id}",
        task_id=task.task_id,
        run_id=None,
        category="review",
        reason="the reviewer failed the answer",
        history={"task": task.model_dump(mode="json")},
    )
    return task.task_id


def test_pages_send_a_stranger_to_sign_in_and_sign_in_keeps_the_key_in_a_strict_cookie(
    live: LiveServer,
) -> None:
    client = ui_client(live)
    for path in ("/", "/ui/", "/ui/tasks?q=x", "/ui/approvals", "/ui/dlq"):
        answer = client.get(path)
        assert answer.status_code == 303, path
    assert (
        client.get("/ui/tasks?q=x").headers["location"] == "/ui/signin?next=%2Fui%2Ftasks%3Fq%3Dx"
    )

    refused = client.post("/ui/signin", data={"key": "office_wrong", "next": "/ui/tasks"})
    assert refused.status_code == 401
    assert "not valid" in refused.text
    assert "set-cookie" not in refused.headers

    key = live.key("alice", "operator")
    signed_in = client.post("/ui/signin", data={"key": key, "next": "https://evil.example/"})
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/ui/"  # never off to another site
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith(f"office_key={key};")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie

    home = ui_client(live, key).get("/ui/")
    assert home.status_code == 200
    assert "Content-Security-Policy" in home.headers
    assert home.headers["cache-control"] == "no-store"

    signed_out = ui_client(live, key).post("/ui/signout")
    assert signed_out.status_code == 303
    assert 'office_key=""' in signed_out.headers["set-cookie"]
    assert "Max-Age=0" in signed_out.headers["set-cookie"]


def test_forms_sent_from_another_site_are_refused(live: LiveServer) -> None:
    key = live.key("alice", "operator")
    task_id = alice_task(live)
    forged = {"Origin": "https://evil.example"}
    with httpx.Client(base_url=live.url, cookies={"office_key": key}) as browser:
        attempts = [
            browser.post("/ui/tasks", data={"description": "Calculate 1 + 1"}, headers=forged),
            browser.post("/ui/tasks", data={"description": "Calculate 1 + 1"}),  # no Origin
            browser.post(f"/ui/approvals/ap-{task_id}/approve", headers=forged),
            browser.post(f"/ui/dlq/dl-{task_id}/retry", headers=forged),
            browser.post("/ui/signin", data={"key": key}, headers=forged),
            browser.post("/ui/signout", headers={"Referer": "https://evil.example/page"}),
        ]
    assert [answer.status_code for answer in attempts] == [403] * 6
    assert "not sent from this server's own pages" in attempts[0].json()["detail"]
    assert [t.task_id for t in live.store.tasks.search(user_id="alice")] == [task_id]
    approval = live.store.approvals.get(f"ap-{task_id}")
    assert approval is not None and approval.status == "pending"

    # A browser that sends only the Referer (no Origin) on its own pages is fine.
    same_site = ui_client(live, key).post(
        "/ui/signout", headers={"Origin": "", "Referer": f"{live.url}/ui/"}
    )
    assert same_site.status_code == 303


def test_task_text_is_escaped_everywhere_it_is_shown(live: LiveServer) -> None:
    key = live.key("alice", "operator")
    client = ui_client(live, key)
    text = 'Calculate 6 * 7 <script>alert("pwned")</script> <img src=x onerror=alert(1)>'
    submitted = client.post("/ui/tasks", data={"description": text, "priority": "5"})
    assert submitted.status_code == 303
    task_page = submitted.headers["location"]
    pages = [client.get(task_page), client.get("/ui/tasks"), client.get("/ui/")]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in pages[0].text


def test_a_user_sees_and_decides_only_their_own_tasks_approvals_and_dead_letters(
    live: LiveServer,
) -> None:
    task_id = alice_task(live, "Calculate 6 * 7 for alice")
    bob = ui_client(live, live.key("bob", "operator"))

    assert bob.get(f"/ui/tasks/{task_id}").status_code == 404
    assert bob.get(f"/ui/tasks/{task_id}/live").status_code == 404
    assert "for alice" not in bob.get("/ui/tasks").text
    assert "for alice" not in bob.get("/ui/tasks?q=alice").text
    assert "write_file report.md" not in bob.get("/ui/approvals").text
    assert "the reviewer failed" not in bob.get("/ui/dlq").text
    assert bob.post(f"/ui/approvals/ap-{task_id}/approve").status_code == 404
    assert bob.post(f"/ui/dlq/dl-{task_id}/retry").status_code == 404
    approval = live.store.approvals.get(f"ap-{task_id}")
    assert approval is not None and approval.status == "pending"
    letter = live.store.dead_letters.get(f"dl-{task_id}")
    assert letter is not None and letter.retry_task_id is None

    alice = ui_client(live, live.key("alice", "operator"))
    assert "for alice" in alice.get(f"/ui/tasks/{task_id}").text
    assert "write_file report.md" in alice.get("/ui/approvals").text
    assert "the reviewer failed" in alice.get("/ui/dlq").text

    admin = ui_client(live, live.key("root", "admin"))
    history = admin.get("/ui/tasks?q=for+alice")
    assert "for alice" in history.text and "<th>User</th>" in history.text
    denied = admin.post(f"/ui/approvals/ap-{task_id}/deny", data={"comment": "not today"})
    assert denied.status_code == 303
    decided = live.store.approvals.get(f"ap-{task_id}")
    assert decided is not None
    assert (decided.status, decided.decided_by, decided.comment) == ("denied", "root", "not today")
    again = admin.post(f"/ui/approvals/ap-{task_id}/approve")
    assert again.status_code == 409
    assert "already denied by root" in again.text


def test_a_viewer_follows_tasks_but_cannot_submit_decide_or_retry(live: LiveServer) -> None:
    task_id = alice_task(live)
    viewer = ui_client(live, live.key("alice", "viewer"))
    home = viewer.get("/ui/")
    assert home.status_code == 200 and 'id="task-box"' not in home.text
    assert viewer.get(f"/ui/tasks/{task_id}").status_code == 200
    refused = viewer.post("/ui/tasks", data={"description": "Calculate 1 + 1"})
    assert refused.status_code == 403 and "needs an operator key" in refused.text
    assert viewer.post(f"/ui/approvals/ap-{task_id}/approve").status_code == 403
    assert viewer.post(f"/ui/dlq/dl-{task_id}/retry").status_code == 403
    assert len(live.store.tasks.search(user_id="alice")) == 1
    approval = live.store.approvals.get(f"ap-{task_id}")
    assert approval is not None and approval.status == "pending"


def test_a_bad_task_is_answered_on_the_form_with_what_to_fix(live: LiveServer) -> None:
    client = ui_client(live, live.key("alice", "operator"))
    outside = client.post(
        "/ui/tasks", data={"description": "List files", "workspace": "/etc", "priority": "5"}
    )
    assert outside.status_code == 400
    assert "outside the directory of user alice" in outside.text
    assert ">List files</textarea>" in outside.text  # what was typed is kept
    empty = client.post("/ui/tasks", data={"description": "   ", "priority": "5"})
    assert empty.status_code == 400
    assert "description" in empty.text
    assert live.store.tasks.search(user_id="alice") == []


def test_retrying_a_dead_letter_twice_needs_again(live: LiveServer) -> None:
    task_id = alice_task(live)
    client = ui_client(live, live.key("alice", "operator"))
    first = client.post(f"/ui/dlq/dl-{task_id}/retry", data={"description": "Calculate 2 + 2"})
    assert first.status_code == 303
    new_task = first.headers["location"].rsplit("/", 1)[-1]
    retried = live.store.tasks.get(new_task)
    assert retried is not None and retried.description == "Calculate 2 + 2"
    second = client.post(f"/ui/dlq/dl-{task_id}/retry")
    assert second.status_code == 409 and "tick" in second.text
    third = client.post(f"/ui/dlq/dl-{task_id}/retry", data={"again": "true"})
    assert third.status_code == 303
    assert third.headers["location"] != first.headers["location"]


def test_the_task_view_shows_model_calls_and_costs_by_agent_and_model(live: LiveServer) -> None:
    task_id = alice_task(live)
    for agent, tokens, cost in (
        ("planner", 900, 0.0123),
        ("planner", 100, 0.0021),
        ("reviewer", 50, 0.001),
    ):
        live.store.llm_calls.add(
            llm_call(
                task_id=task_id,
                agent=agent,
                tier=agent,
                prompt_id=agent,
                input_tokens=tokens,
                output_tokens=0,
                cost_usd=cost,
            )
        )
    page = ui_client(live, live.key("alice", "operator")).get(f"/ui/tasks/{task_id}")
    assert "3 model calls, 1050 tokens, $0.0154." in page.text
    rows = re.findall(
        r"<tr><td[^>]*>(\w+)</td><td[^>]*>([\w:.-]+)</td><td[^>]*>(\d+)</td>", page.text
    )
    assert rows == [("planner", "openai:gpt-4o-mini", "2"), ("reviewer", "openai:gpt-4o-mini", "1")]


def test_the_stats_page_counts_only_ones_own_tasks_unless_admin(live: LiveServer) -> None:
    alice_task(live)  # dead-lettered
    bob = Task(description="Calculate 1 + 1", user_id="bob")
    live.store.tasks.create(
        task_id=bob.task_id, user_id="bob", description=bob.description, body={}, status="completed"
    )
    figure = re.compile(r'id="stat-(tasks|failed|completed)"><dt>[^<]+</dt><dd>(\d+)</dd>')
    pages = {
        who: ui_client(live, live.key(who, role)).get("/ui/stats?days=")
        for who, role in (("alice", "operator"), ("bob", "viewer"), ("root", "admin"))
    }
    assert {who: dict(figure.findall(page.text)) for who, page in pages.items()} == {
        "alice": {"tasks": "1", "completed": "0", "failed": "1"},
        "bob": {"tasks": "1", "completed": "1", "failed": "0"},
        "root": {"tasks": "2", "completed": "1", "failed": "1"},
    }
    assert all(page.headers["content-security-policy"] for page in pages.values())
    # A period that is not a number of days shows the default 30 days instead of an error.
    odd = ui_client(live, live.key("alice", "operator")).get("/ui/stats?days=nan")
    assert odd.status_code == 200 and '<option value="30" selected>' in odd.text
