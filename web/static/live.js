// Live sync progress on /repositories: while a row's sync is queued or running, ask the
// API for the repositories every two seconds and write each row's state again. Served as a
// file: the Content-Security-Policy allows no inline script.
"use strict";

(function () {
  const ACTIVE = new Set(["queued", "running"]);
  const INTERVAL_MS = 2000;

  // Numbers as the pages write them: 60,752.
  function grouped(n) {
    return Number(n).toLocaleString("en-US");
  }

  function describe(run) {
    switch (run.state) {
      case "queued":
        return run.attempt > 0 && run.error ? "waiting to retry: " + run.error : "queued";
      case "running":
        return "syncing: " + (run.phase || "starting") + " (" + run.progress + "%)";
      case "succeeded":
        return "synced: +" + grouped(run.commits_added) + " \u2212" + grouped(run.commits_removed) + " commits";
      case "failed":
        return "failed: " + (run.error || "no reason given");
      default:
        return run.state;
    }
  }

  function syncedAt(text) {
    if (!text) return "never";
    const at = new Date(text);
    const pad = (n) => String(n).padStart(2, "0");
    return at.getUTCFullYear() + "-" + pad(at.getUTCMonth() + 1) + "-" + pad(at.getUTCDate()) + " " +
      pad(at.getUTCHours()) + ":" + pad(at.getUTCMinutes()) + " UTC";
  }

  function rows() {
    return Array.from(document.querySelectorAll("tr[data-repository]"));
  }

  function anyActive() {
    return rows().some((row) => ACTIVE.has(row.dataset.state));
  }

  function update(repositories) {
    const byId = new Map(repositories.map((r) => [String(r.id), r]));
    for (const row of rows()) {
      const repository = byId.get(row.dataset.repository);
      if (!repository || !repository.latest_sync) continue;
      const run = repository.latest_sync;
      row.dataset.state = run.state;
      // Written as text, never parsed as markup: messages come from servers and repositories.
      row.querySelector('[data-field="sync"]').textContent = describe(run);
      row.querySelector('[data-field="commits"]').textContent = grouped(repository.commit_count);
      row.querySelector('[data-field="last-synced"]').textContent = syncedAt(repository.last_synced_at);
    }
  }

  async function poll() {
    if (!anyActive()) return;
    try {
      const response = await fetch("/api/v1/repositories", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) update(await response.json());
    } catch (_) {
      // A network hiccup: the next round tries again.
    }
    setTimeout(poll, INTERVAL_MS);
  }

  document.addEventListener("DOMContentLoaded", () => setTimeout(poll, INTERVAL_MS));
})();
