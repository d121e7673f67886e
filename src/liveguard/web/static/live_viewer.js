// The viewers' page: a warning banner that appears the moment staff or policy issue one.
(function () {
  "use strict";
  const root = document.getElementById("viewer");
  const banner = root.querySelector("[data-testid=warning-banner]");
  const text = root.querySelector("[data-testid=warning-text]");
  const history = root.querySelector("[data-testid=warning-history]");
  const seen = new Set(JSON.parse(document.getElementById("known-warnings").textContent));

  function show(warning) {
    if (seen.has(warning.id)) return;
    seen.add(warning.id);
    text.textContent = warning.text;
    banner.hidden = false;
    const item = document.createElement("li");
    item.dataset.warning = warning.id;
    item.textContent = warning.text;
    history.append(item);
  }

  const stream = new EventSource("/api/public/live/" + root.dataset.session + "/warnings/stream");
  stream.addEventListener("warning", (message) => show(JSON.parse(message.data)));
})();
