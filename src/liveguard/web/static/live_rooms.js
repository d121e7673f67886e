// The room list: risk scores, open findings and status refreshed from /api/live/rooms.
(function () {
  "use strict";
  const table = document.querySelector("[data-testid=rooms] tbody");
  // a room's status in words, from the label catalogue: no bare code on the page
  const WORDS = JSON.parse(document.getElementById("status-words").textContent);
  const level = (risk) => (risk >= 60 ? "high" : risk >= 25 ? "medium" : "low");

  async function refresh() {
    const response = await fetch("/api/live/rooms", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const rooms = await response.json();
    let changedOrder = false;
    for (const room of rooms) {
      const row = table.querySelector("tr[data-session='" + room.session.id + "']");
      if (!row) { changedOrder = true; continue; }  // a new room: the next load lists it
      const risk = row.querySelector("[data-testid=risk]");
      risk.textContent = room.risk_score.toFixed(1);
      risk.className = "risk " + level(room.risk_score);
      row.querySelector("[data-testid=open-findings]").textContent = room.open_findings;
      const status = row.querySelector(".status");
      status.textContent = WORDS[room.status] || "";
      status.className = "status " + room.status;
      table.append(row);  // riskiest first, as the API orders them
    }
    if (changedOrder) location.reload();
  }

  setInterval(() => refresh().catch(() => {}), 3000);
})();
