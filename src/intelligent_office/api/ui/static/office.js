// Live task and run views: re-render the server's fragment whenever the SSE stream
// (/tasks/{id}/events or /runs/{id}/events, authenticated by the session cookie) reports
// an event; poll once a second instead if the stream is unavailable. Stops once the task
// or run has finished.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var source = null;
  var poller = null;
  var scheduled = null;
  var busy = false;

  function finished() {
    var body = live.querySelector(".live-body");
    return body !== null && body.getAttribute("data-finished") === "true";
  }

  function stop() {
    if (source !== null) { source.close(); source = null; }
    if (poller !== null) { clearInterval(poller); poller = null; }
  }

  function openDetails() {
    var open = [];
    live.querySelectorAll("details[open]").forEach(function (d) { open.push(d.id); });
    return open;
  }

  function refresh() {
    scheduled = null;
    if (busy) { schedule(); return; }
    busy = true;
    fetch(live.getAttribute("data-fragment"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) {
          window.location.href = "/ui/signin?next=" + encodeURIComponent(window.location.pathname);
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) { return; }
        var open = openDetails();
        live.innerHTML = html;  // rendered and escaped by the server
        open.forEach(function (id) {
          var d = document.getElementById(id);
          if (d) { d.open = true; }
        });
        if (finished()) { stop(); }
      })
      .catch(function () { /* the next event or tick tries again */ })
      .finally(function () { busy = false; });
  }

  function schedule() {
    if (scheduled === null) { scheduled = setTimeout(refresh, 150); }
  }

  function poll() {
    if (source !== null) { source.close(); source = null; }
    if (poller !== null) { clearInterval(poller); }
    poller = setInterval(refresh, 1000);
    refresh();
  }

  // Named SSE events do not reach onmessage, so listen for each type the Office emits;
  // a slow poll alongside catches any type added later.
  var TYPES = [
    "run.started", "run.completed", "run.failed", "run.cancelled",
    "task.submitted", "task.started", "task.decomposed", "task.completed",
    "task.dead_lettered", "task.unsupported", "task.failed", "task.cancelled",
    "subtask.started", "subtask.completed", "subtask.failed", "subtask.unsupported",
    "subtask.skipped", "plan.created", "plan.validated", "plan.rejected", "plan.refused",
    "node.started", "node.completed", "node.failed", "node.retrying", "node.skipped",
    "execution.finished", "review.decided", "approval.requested", "approval.decided",
    "llm.called", "llm.failed", "budget.warning", "mcp.tools", "answer.delta",
    "brain.fell_back",
    "workflow.started", "workflow.completed", "workflow.partial", "workflow.failed",
    "agent.started", "agent.finished", "agent.failed"
  ];

  if (finished()) { return; }
  if (typeof window.EventSource !== "function") { poll(); return; }
  source = new EventSource(live.getAttribute("data-events"), { withCredentials: true });
  source.onmessage = schedule;
  source.onerror = poll;
  TYPES.forEach(function (type) { source.addEventListener(type, schedule); });
  poller = setInterval(refresh, 5000);
})();
