// The staff live-room page: renders the timeline JSON (first paint and every update from
// the Server-Sent Events stream) with each finding's exact span marked.
(function () {
  "use strict";
  const root = document.getElementById("live-room");
  const sessionId = root.dataset.session;
  const csrf = root.dataset.csrf;
  const canAct = root.dataset.canAct === "1";
  const timeline = root.querySelector("[data-testid=timeline]");
  const actions = root.querySelector("[data-testid=actions]");
  const seenEvents = new Set();
  const seenActions = new Set();
  const RANK = { low: 0, medium: 1, high: 2, critical: 3 };
  const SPEAKERS = JSON.parse(document.getElementById("speaker-labels").textContent);
  // words for codes, from the label catalogue: no bare code on the page
  const WORDS = JSON.parse(document.getElementById("room-words").textContent);
  const word = (map, code) => (WORDS[map] && WORDS[map][code]) || code;
  const findingsById = new Map();
  const clock = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // The text with the findings' spans in <mark>: offsets count code points, as Python does.
  function highlighted(text, findings) {
    const chars = Array.from(text);
    const spans = findings.filter((f) => f.end > f.start && f.start < chars.length);
    const out = el("span", { class: "text" });
    let i = 0;
    while (i < chars.length) {
      const covering = spans.filter((f) => f.start <= i && i < f.end);
      let j = i + 1;
      const key = (k) => spans.filter((f) => f.start <= k && k < f.end).map((f) => f.id).join(",");
      const here = key(i);
      while (j < chars.length && key(j) === here) j++;
      const piece = chars.slice(i, j).join("");
      if (covering.length) {
        const worst = covering.reduce((a, b) => (RANK[b.severity] > RANK[a.severity] ? b : a));
        out.append(el("mark", {
          class: "finding " + worst.severity + (covering.every((f) => f.status === "dismissed") ? " dismissed" : ""),
          "data-rule": covering.map((f) => f.rule).join(" "),
          "data-testid": "finding-span",
          title: covering.map((f) => f.message).join("\n"),
          text: piece,
        }));
      } else {
        out.append(piece);
      }
      i = j;
    }
    return out;
  }

  function findingItem(f) {
    findingsById.set(f.id, f);
    const basis = (f.legal_basis || []).map((b) =>
      el("div", { class: "muted", text: "《" + b.law + "》第" + b.article + "条：" + b.quote }));
    const item = el("li", { class: "finding-item " + f.status, "data-finding": f.id, "data-rule": f.rule },
      el("span", { class: "tag " + f.severity, "data-severity": f.severity, text: word("severity", f.severity) }),
      el("span", { class: "speaker " + f.speaker_role, "data-testid": "finding-speaker",
        "data-speaker": f.speaker_role, text: SPEAKERS[f.speaker_role] || f.speaker_role }),
      el("span", { text: " " + f.message + " " }),
      f.quote ? el("q", { "data-testid": "finding-quote", text: f.quote }) : null,
      el("span", { class: "muted", text: " · " + word("source", f.source) + (f.status !== "open" ? " · " + word("status", f.status) : "") }),
      ...basis);
    if (canAct && f.status === "open") {
      const form = el("form", { method: "post", action: "/console/live/findings/" + f.id + "/dismiss", class: "inline" },
        el("input", { type: "hidden", name: "csrf", value: csrf }),
        el("input", { name: "reason", placeholder: "理由 reason", "aria-label": "dismiss reason" }),
        el("button", { type: "submit", class: "secondary", text: "驳回 Dismiss" }));
      const use = el("button", { type: "button", class: "link", text: "→ 选中并处置 act on it" });
      use.addEventListener("click", () => {
        const finding = document.querySelector("[data-testid=act-finding]");
        const listing = document.querySelector("[data-testid=act-listing]");
        if (finding) finding.value = f.id;
        if (listing && f.listing_id) listing.value = f.listing_id;
        if (finding) finding.scrollIntoView({ block: "center" });
      });
      item.append(" ", use, form);
    }
    return item;
  }

  // A screen finding's offsets are into one read line: the line whose span is its quote.
  function lineFindings(line, findings) {
    return findings.filter((f) => f.source === "screen" &&
      Array.from(line.text).slice(f.start, f.end).join("") === f.quote);
  }

  function frameBlock(event) {
    const reading = event.data.frame || {};
    const block = el("div", { class: "frame-view", "data-testid": "frame" });
    if (event.data.blob) {
      block.append(el("img", {
        src: "/console/live/" + sessionId + "/frames/" + event.seq, alt: "frame " + event.seq, loading: "lazy",
      }));
    }
    const facts = el("div", { class: "frame-facts" });
    for (const code of reading.qr_codes || []) {
      facts.append(el("div", { class: "qr " + (code.rule ? "diversion" : ""), "data-testid": "qr" },
        el("span", { class: "tag " + (code.severity || ""), text: "二维码 · " + word("payload", code.kind) }),
        el("code", { "data-testid": "qr-payload", text: code.payload }),
        code.message ? el("div", { class: "muted", text: code.message }) : null));
    }
    const lines = reading.lines || [];
    if (lines.length) {
      facts.append(el("div", { class: "ocr", "data-testid": "ocr-lines" },
        el("span", { class: "muted", text: "画面文字 on-screen text: " }),
        ...lines.map((line) => el("span", { class: "ocr-line", "data-testid": "ocr-line" },
          highlighted(line.text, lineFindings(line, event.findings))))));
    } else if (reading.ocr) {
      facts.append(el("div", { class: "muted", text: "OCR: " + reading.ocr }));
    }
    block.append(facts);
    return block;
  }

  function eventItem(event) {
    const item = el("li", { class: "event " + event.kind + (event.findings.length ? " flagged" : ""),
      "data-seq": event.seq, "data-kind": event.kind, "data-testid": "event" },
      el("time", { datetime: event.occurred_at, text: clock.format(new Date(event.occurred_at)) }),
      el("span", { class: "kind", text: word("event", event.kind) + (event.speaker_role ? " · " + word("speaker", event.speaker_role) : "") }));
    if (event.text) item.append(highlighted(event.text, event.findings));
    if (event.kind === "frame") item.append(frameBlock(event));
    else if (!event.text && event.data && event.data.listing_id) {
      item.append(el("span", { class: "text", text: "商品：" + word("listing", String(event.data.listing_id)) }));
    } else if (!event.text && Object.keys(event.data || {}).length) {
      // counters and the like: name: value pairs, never raw JSON
      const COUNTS = { likes: "点赞", sales: "销量", stock: "库存", viewers: "在线观看" };
      item.append(el("span", { class: "text data", text: Object.entries(event.data)
        .filter(([, v]) => typeof v !== "object")
        .map(([k, v]) => (COUNTS[k] || k) + " " + v).join(" · ") }));
    }
    if (event.findings.length) {
      item.append(el("ul", { class: "findings", "data-testid": "findings" }, ...event.findings.map(findingItem)));
    }
    return item;
  }

  // An action told as done, at the moment it was taken: "20:03:11 已向观众发出警示：“…”".
  function actionItem(action) {
    const finding = action.finding_id ? findingsById.get(action.finding_id) : null;
    const who = action.actor === "policy" ? "系统按规则自动 automatic" : "由 " + action.actor;
    return el("li", { class: "event action " + action.kind, "data-action": action.id, "data-kind": action.kind,
      "data-rule": action.rule, "data-testid": "action" },
      el("time", { datetime: action.created_at, text: clock.format(new Date(action.created_at)) }),
      el("span", { class: "sentence", text: word("done", action.kind) + (action.text ? "：" : "") }),
      action.text ? el("q", { text: action.text }) : null,
      el("div", { class: "muted", text: (finding ? "针对：" + finding.message + " · " : "") + who +
        (action.actor !== "policy" && action.reason ? " · " + action.reason : "") }));
  }

  function apply(delta) {
    const room = delta.room;
    root.querySelector("[data-testid=risk-score]").textContent = room.risk_score.toFixed(1);
    root.querySelector("[data-testid=open-findings]").textContent = room.open_findings;
    const status = root.querySelector("[data-testid=room-status]");
    status.textContent = word("room", room.status);
    status.dataset.status = room.status;
    for (const event of delta.events) {
      if (seenEvents.has(event.seq)) continue;
      seenEvents.add(event.seq);
      timeline.append(eventItem(event));
    }
    for (const action of delta.actions) {
      if (seenActions.has(action.id)) continue;
      seenActions.add(action.id);
      actions.prepend(actionItem(action));
    }
  }

  apply(JSON.parse(document.getElementById("first-timeline").textContent));
  const state = root.querySelector("[data-testid=stream-state]");
  const stream = new EventSource("/api/sessions/" + sessionId + "/stream");
  stream.addEventListener("open", () => { state.textContent = "live"; });
  stream.addEventListener("error", () => { state.textContent = "reconnecting…"; });
  stream.addEventListener("timeline", (message) => apply(JSON.parse(message.data)));
})();
