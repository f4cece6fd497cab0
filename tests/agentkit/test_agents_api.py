"""`/api/agents` on the real app served on 127.0.0.1: create from an archetype, run, read
the success rate, delete without a restart; other users get 404, viewers may not write."""

from __future__ import annotations

from tests.api.conftest import LiveServer


def test_create_run_read_and_delete_an_agent(live: LiveServer) -> None:
    alice = live.client(live.key("alice"))

    created = alice.post(
        "/api/agents",
        json={"archetype": "summarizer", "name": "brief", "priority": 7},
    )
    assert created.status_code == 201, created.text
    agent = created.json()
    assert agent["status"] == "idle" and agent["executions"] == 0
    assert agent["agent"]["archetype"] == "summarizer" and agent["agent"]["priority"] == 7
    assert agent["success_rate"] is None

    ran = alice.post(
        f"/api/agents/{agent['id']}/runs",
        json={"input": "Tides rise twice a day because of the moon. They matter to sailors."},
    )
    assert ran.status_code == 200, ran.text
    assert ran.json()["state"] == "completed" and ran.json()["model"] == "offline"
    assert "moon" in ran.json()["output"]

    read = alice.get(f"/api/agents/{agent['id']}").json()
    assert read["status"] == "completed"
    assert read["executions"] == 1 and read["success_rate"] == 1.0

    assert alice.delete(f"/api/agents/{agent['id']}").status_code == 204
    gone = alice.get(f"/api/agents/{agent['id']}")
    assert gone.status_code == 404 and gone.json() == {
        "detail": f"no agent {agent['id']}",
        "errors": [],
    }


def test_agents_are_private_and_need_an_operator_to_change(live: LiveServer) -> None:
    alice = live.client(live.key("alice"))
    agent_id = alice.post("/api/agents", json={"archetype": "critic"}).json()["id"]

    bob = live.client(live.key("bob"))
    assert bob.get(f"/api/agents/{agent_id}").status_code == 404
    assert bob.delete(f"/api/agents/{agent_id}").status_code == 404
    viewer = live.client(live.key("alice", role="viewer"))
    assert viewer.get(f"/api/agents/{agent_id}").status_code == 200
    assert viewer.delete(f"/api/agents/{agent_id}").status_code == 403
    assert live.client().get(f"/api/agents/{agent_id}").status_code == 401


def test_bad_input_names_the_problem(live: LiveServer) -> None:
    alice = live.client(live.key("alice"))

    unknown = alice.post("/api/agents", json={"archetype": "poet"})
    assert unknown.status_code == 422
    assert "archetype" in str(unknown.json()["detail"])
    files = alice.post("/api/agents", json={"archetype": "researcher", "sources": ["/etc/*"]})
    assert files.status_code == 422  # agents over the API never read server files
    bad = alice.post("/api/agents", json={"archetype": "writer", "priority": 11})
    assert bad.status_code == 400
    assert bad.json() == {
        "detail": "writer agent: priority: Input should be less than or equal to 10",
        "errors": [],
    }
