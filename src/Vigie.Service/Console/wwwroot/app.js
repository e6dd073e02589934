// Vigie operator console. Uses only the REST API (/openapi/v1.json) and its server-sent event stream.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};
// The site's time zone when the configuration names one: times are shown and read on it, as the evidence is stamped.
let siteZone = null;
const when = iso => iso ? new Date(iso).toLocaleString(undefined, siteZone ? { timeZone: siteZone } : {}) : "—";
// A datetime-local field's value (a date and time without a zone) as an instant, on the site's clock.
const instant = local => {
  if (!siteZone) return new Date(local).toISOString();
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: siteZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric" });
  // How far the site's clock is ahead of UTC at instant t (ms), from the wall time it shows then.
  const ahead = t => {
    const p = Object.fromEntries(parts.formatToParts(new Date(t)).map(x => [x.type, Number(x.value)]));
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
  };
  const wall = Date.parse(`${local}Z`);
  const first = wall - ahead(wall);
  return new Date(wall - ahead(first)).toISOString();
};
const minutes = s => s >= 120 ? `${(s / 60).toFixed(0)} min` : `${s.toFixed(0)} s`;
const kindLabel = k => k.replaceAll("_", " ");

async function api(path, options = {}) {
  const response = await fetch(path, { headers: { "Content-Type": "application/json" }, ...options });
  if (response.status === 401 && path !== "/api/session") { showLogin("Your session has ended: sign in again."); throw new Error("signed out"); }
  if (response.status === 403) throw new Error("your role does not allow this");
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const problem = await response.json();
      if (problem.errors) message = Object.entries(problem.errors).map(([k, v]) => `${k}: ${v.join("; ")}`).join("\n");
      else if (problem.detail || problem.title) message = problem.detail || problem.title;
    } catch { /* not JSON */ }
    throw new Error(message);
  }
  return response.status === 204 ? null : response.json();
}

// ---- session: the server keeps it in an HttpOnly cookie; the page only knows who and which role ----
let me = null;
const can = roles => me !== null && roles.split(" ").includes(me.role);

function showLogin(message = "") {
  me = null;
  $("#login").hidden = false;
  $("#login-message").textContent = message;
  $("#login-form [name=name]").focus();
}

$("#login-form").addEventListener("submit", async e => {
  e.preventDefault();
  const data = new FormData(e.target);
  const response = await fetch("/api/session", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: data.get("name"), password: data.get("password") }),
  });
  // Locked account (423) or too many sign-ins at once (429): the service says which.
  if (response.status === 423 || response.status === 429) { $("#login-message").textContent = (await response.json()).detail; return; }
  if (!response.ok) { $("#login-message").textContent = "Wrong name or password."; return; }
  e.target.reset();
  await start(await response.json());
});

// ---- signing out after idle_minutes without input ----
// The service counts the console's own polling as use, so an open page never idles out there. Away from mouse and
// keyboard for idle_minutes, a supervisor's, auditor's or administrator's console signs itself out (they can lift the
// blur, change the scene, manage users and read the audit log); an operator's stays signed in, as it may be the
// supervision centre's alert wall, which nobody touches for hours.
let lastInput = Date.now();
for (const type of ["pointerdown", "pointermove", "keydown", "wheel"])
  document.addEventListener(type, () => { lastInput = Date.now(); }, { capture: true, passive: true });
function watchIdle() {
  if (me.role === "operator" || !(me.idle_minutes > 0)) return;
  setInterval(async () => {
    if (!me || Date.now() - lastInput < me.idle_minutes * 60000) return;
    const minutes = me.idle_minutes;
    me = null;
    await fetch("/api/session?idle=true", { method: "DELETE" }).catch(() => {});
    sessionStorage.setItem("vigie.signed-out", `Signed out after ${minutes} minutes without use.`);
    location.reload();
  }, 5000);
}

$("#logout").addEventListener("click", async () => {
  await fetch("/api/session", { method: "DELETE" });
  location.reload();
});

// ---- views ----
let unseen = 0;
function show(view) {
  for (const b of document.querySelectorAll("nav button")) b.classList.toggle("active", b.dataset.view === view);
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== `view-${view}`;
  if (view === "alerts") { unseen = 0; updateBadge(); }
  if (view === "cameras") refreshCameras();
  if (view === "authorisations") loadAuthorisations().catch(() => {});
  if (view === "users") loadUsers().catch(() => {});
  if (view === "audit") loadAudit().catch(() => {});
  if (view === "forensic") loadCases().catch(err => { $("#forensic-summary").textContent = err.message; });
}
for (const b of document.querySelectorAll("nav button")) b.addEventListener("click", () => show(b.dataset.view));
function updateBadge() {
  const badge = $("#new-count");
  badge.hidden = unseen === 0;
  badge.textContent = unseen;
  // The tab's title counts them too, seen from another tab or the task bar.
  document.title = unseen ? `(${unseen}) Vigie console` : "Vigie console";
}
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && !$("#view-alerts").hidden) { unseen = 0; updateBadge(); }
});

// ---- alert chime ----
// A new alert is also announced by ear: operators watch the video wall, and this page is often behind another window.
// Browsers let a page make sound only once it has been clicked: the sign-in click does, or any later one.
let audio = null;
let chimeOn = localStorage.getItem("vigie.chime") !== "off";
const chimeButton = $("#chime");
function renderChime() {
  const blocked = chimeOn && audio?.state !== "running";
  chimeButton.setAttribute("aria-pressed", String(chimeOn));
  chimeButton.classList.toggle("blocked", blocked);
  chimeButton.textContent = !chimeOn ? "Sound off" : blocked ? "Sound blocked: click" : "Sound on";
  chimeButton.title = blocked ? "The browser lets the console sound once it has been clicked." : "Sound on each new alert";
}
function unlockAudio() {
  audio ??= new AudioContext();
  if (audio.state !== "running") audio.resume().then(renderChime, () => {});
  renderChime();
}
document.addEventListener("pointerdown", unlockAudio, { capture: true });
document.addEventListener("keydown", unlockAudio, { capture: true });
chimeButton.addEventListener("click", () => {
  chimeOn = !chimeOn;
  localStorage.setItem("vigie.chime", chimeOn ? "on" : "off");
  renderChime();
  if (chimeOn) chime();
});
function chime() {
  if (!can("operator supervisor")) return;
  if (!chimeOn || audio?.state !== "running") { renderChime(); return; }
  const t = audio.currentTime;
  for (const [frequency, at] of [[880, 0], [660, 0.18]]) {
    const tone = audio.createOscillator(), volume = audio.createGain();
    tone.frequency.value = frequency;
    volume.gain.setValueAtTime(0.0001, t + at);
    volume.gain.exponentialRampToValueAtTime(0.3, t + at + 0.02);
    volume.gain.exponentialRampToValueAtTime(0.0001, t + at + 0.16);
    tone.connect(volume).connect(audio.destination);
    tone.start(t + at);
    tone.stop(t + at + 0.17);
  }
}

// New alerts in the feed: counted while nobody looks at the feed, and chimed.
function announce(count = 1) {
  if ($("#view-alerts").hidden || document.hidden) { unseen += count; updateBadge(); }
  chime();
}

// ---- alert cards ----
function card(alert) {
  const img = can("operator supervisor")
    ? el("img", { alt: `snapshot of alert ${alert.id}`, loading: "lazy" })
    : el("div", { className: "no-image", textContent: "no image for this role" });
  if (alert.snapshot_url && img.tagName === "IMG") img.src = alert.snapshot_url;
  const status = el("span", { className: `status ${alert.status}`, textContent: alert.status });
  const li = el("li", { className: `alert-card ${alert.status}`, tabIndex: 0 },
    img,
    el("div", { className: "text" },
      el("div", { className: "kind", textContent: kindLabel(alert.kind) }),
      el("div", { textContent: `${alert.camera} · ${alert.zone}` }),
      el("div", {}, el("time", { textContent: when(alert.raised) }), " ", status)));
  li.dataset.alertId = alert.id;
  li.dataset.kind = alert.kind;
  li.addEventListener("click", () => openDetail(alert.id));
  li.addEventListener("keydown", e => { if (e.key === "Enter") openDetail(alert.id); });
  return li;
}

// The card of an alert shown in the list, redrawn; a new alert's added on top.
function upsert(list, alert, { addOnTop = false } = {}) {
  const existing = list.querySelector(`[data-alert-id="${alert.id}"]`);
  if (existing) existing.replaceWith(card(alert));
  else if (addOnTop) list.prepend(card(alert));
}

// The feed keeps the latest alerts only: a console stays open for weeks, and older ones are found by Search.
const FeedLength = 200;
function trimFeed() {
  const feed = $("#feed");
  while (feed.children.length > FeedLength) feed.lastElementChild.remove();
}

// ---- live feed ----
async function loadFeed() {
  const alerts = await api("/api/alerts?limit=50");
  const feed = $("#feed");
  feed.replaceChildren(...alerts.map(card));
}

// Alerts raised while the stream was down (the service restarting, the network cut) are fetched once it is back: the
// stream only carries what happens while it is open, and none may be left out of the feed.
async function catchUp() {
  const feed = $("#feed");
  const latest = await api("/api/alerts?limit=50");
  const missed = latest.filter(a => !feed.querySelector(`[data-alert-id="${a.id}"]`));
  for (const alert of latest) upsert(feed, alert);
  for (const alert of missed.reverse()) upsert(feed, alert, { addOnTop: true });
  trimFeed();
  if (missed.length > 0) announce(missed.length);
}

// The stored alert's time is kept to the millisecond: compare instants, not strings.
const waitingKey = alert => `${alert.camera}|${alert.kind}|${alert.zone}|${Date.parse(alert.raised)}`;

// Alerts reach this page only while its stream is open: cut for more than a few seconds, the operator is told in a
// banner, not only by the small "reconnecting" mark, since no new alert can appear meanwhile.
let streamDownSince = null;
setInterval(() => {
  const bar = $("#stream-warning");
  const down = streamDownSince !== null && Date.now() - streamDownSince > 10000;
  bar.hidden = !down;
  if (down) bar.textContent = `Live alerts interrupted since ${new Date(streamDownSince).toLocaleTimeString(undefined, siteZone ? { timeZone: siteZone } : {})}: ` +
    "no new alert can appear here until the connection to the service is back (reconnecting…).";
}, 2000);

function connectStream() {
  const state = $("#stream-state");
  const stream = new EventSource("/api/alerts/stream");
  let connectedBefore = false;
  stream.addEventListener("ready", () => {
    state.textContent = "live";
    state.className = "stream on";
    streamDownSince = null;
    $("#stream-warning").hidden = true;
    if (connectedBefore) catchUp().catch(() => {});
    connectedBefore = true;
  });
  // Raised while the database is unavailable: shown now, without id or evidence, until the stored alert replaces it.
  stream.addEventListener("alert-waiting", e => {
    const alert = JSON.parse(e.data);
    const li = el("li", { className: "alert-card waiting" },
      el("div", { className: "no-image", textContent: "waiting for the database" }),
      el("div", { className: "text" },
        el("div", { className: "kind", textContent: kindLabel(alert.kind) }),
        el("div", { textContent: `${alert.camera} · ${alert.zone}` }),
        el("div", {}, el("time", { textContent: when(alert.raised) }), " ",
          el("span", { className: "status waiting", textContent: "not stored yet" }))));
    li.dataset.waiting = waitingKey(alert);
    li.dataset.kind = alert.kind;
    $("#feed").prepend(li);
    trimFeed();
    announce();
  });
  stream.addEventListener("alert", e => {
    const alert = JSON.parse(e.data);
    $("#feed").querySelector(`[data-waiting="${CSS.escape(waitingKey(alert))}"]`)?.remove();
    upsert($("#feed"), alert, { addOnTop: true });
    trimFeed();
    announce();
  });
  stream.addEventListener("alert-updated", e => {
    const alert = JSON.parse(e.data);
    // An older alert reviewed or given its clip is redrawn where it is shown, not brought back to the top of the feed.
    upsert($("#feed"), alert);
    upsert($("#results"), alert);
    if (current && current.id === alert.id) renderDetail(alert, null);
  });
  // Signed out elsewhere, disabled, given another role or timed out: the sign-in page (or the new role's views) instead.
  stream.addEventListener("session-ended", () => { stream.close(); location.reload(); });
  stream.onerror = () => {
    state.textContent = "reconnecting";
    state.className = "stream off";
    streamDownSince ??= Date.now();
  };
}

// ---- alert detail and review ----
let current = null;
const reviewForm = $("#review-form");

async function openDetail(id) {
  const detail = await api(`/api/alerts/${id}`);
  current = detail.alert;
  reviewForm.reset();
  $("#review-message").textContent = "";
  renderDetail(detail.alert, detail.reviews);
  $("#detail").hidden = false;
  document.body.classList.add("detail-open");
}

// A clip comes a few seconds after its alert (longer while many are being made); long after, none is coming:
// it could not be made, or alerts came faster than clips could be (the service log says which).
function clipHint(alert) {
  return Date.now() - Date.parse(alert.raised) < 120000
    ? "The clip is being recorded (a few seconds after the alert)."
    : "No clip for this alert: it could not be made (the service log says why).";
}

function renderDetail(alert, reviews) {
  current = alert;
  $("#detail-title").textContent = `${kindLabel(alert.kind)} — ${alert.camera}`;
  const media = $("#detail-media");
  const playing = media.querySelector("video");
  if (alert.clip_url && can("operator supervisor") && !(playing && playing.dataset.alertId === String(alert.id))) {
    const video = el("video", { src: alert.clip_url, controls: true, autoplay: true, muted: true, loop: true, playsInline: true });
    video.dataset.alertId = alert.id;
    video.dataset.testid = "clip";
    media.replaceChildren(video);
  } else if (!alert.clip_url) {
    media.replaceChildren(alert.snapshot_url ? el("img", { src: alert.snapshot_url, alt: "snapshot" }) : el("p", { textContent: "no snapshot" }),
      el("p", { className: "hint", textContent: clipHint(alert) }));
  }
  const facts = [
    ["Use case", kindLabel(alert.kind)], ["Camera", alert.camera], ["Zone / line", alert.zone],
    ["Started", when(alert.started)], ["Alert", when(alert.raised)], ["Ended", alert.ended ? when(alert.ended) : "ongoing"],
    ["Detail", alert.detail], ["Score", alert.score.toFixed(2)], ["Status", alert.status],
  ];
  if (alert.reviewed_by) facts.push(["Decided by", `${alert.reviewed_by}, ${when(alert.reviewed_at)}`]);
  if (alert.review_reason) facts.push(["Reason", alert.review_reason.replaceAll("_", " ")]);
  $("#detail-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { textContent: k }), el("dd", { textContent: v })]));
  if (reviews) {
    $("#detail-reviews").replaceChildren(...(reviews.length ? reviews.map(r => el("li", {
      textContent: `${when(r.decided_at)} — ${r.reviewer}: ${r.decision}${r.reason ? ` (${r.reason.replaceAll("_", " ")})` : ""}${r.note ? ` — ${r.note}` : ""}`,
    })) : [el("li", { textContent: "none yet" })]));
  }
}

$("#detail-close").addEventListener("click", () => {
  $("#detail").hidden = true;
  document.body.classList.remove("detail-open");
  $("#detail-media").replaceChildren();
  current = null;
});

// One click (or key) records a decision: confirm, or dismiss with what it was (until 2026-11-25: a choice, a reason, then
// "Record decision"). The note, written first, goes with it.
async function review(decision, reason) {
  const message = $("#review-message");
  if (!current) return;
  try {
    await api(`/api/alerts/${current.id}/review`, {
      method: "POST",
      body: JSON.stringify({ decision, reason, note: new FormData(reviewForm).get("note") || null }),
    });
    await openDetail(current.id);
    message.className = "message ok";
    message.textContent = `Decision recorded: ${decision}${reason ? ` (${reason.replaceAll("_", " ")})` : ""}.`;
  } catch (err) {
    message.className = "message error";
    message.textContent = err.message;
  }
}
reviewForm.addEventListener("submit", e => e.preventDefault());
reviewForm.querySelector("[data-decision=confirmed]").addEventListener("click", () => review("confirmed", null));
function showDismissReasons(reasons) {
  $("#dismiss-reasons").replaceChildren(...reasons.map((r, i) => {
    const button = el("button", { type: "button", textContent: r.replaceAll("_", " "), title: `key ${i + 1}` });
    button.dataset.reason = r;
    button.addEventListener("click", () => review("dismissed", r));
    return button;
  }));
}
// Keys, unless typing (the note, a search): N opens the newest alert of the feed not yet reviewed (other than the open one);
// while an alert is open, C confirms, 1–9 dismiss with that reason, Esc closes.
document.addEventListener("keydown", e => {
  if (e.ctrlKey || e.altKey || e.metaKey || e.target.closest?.("textarea, input, select") || !me) return;
  const open = !$("#detail").hidden;
  if (open && e.key === "Escape") { $("#detail-close").click(); return; }
  if (reviewForm.hidden) return;
  if (e.key === "n" || e.key === "N") {
    const next = [...$("#feed").querySelectorAll(".alert-card.new")].find(li => Number(li.dataset.alertId) !== current?.id);
    if (next) { e.preventDefault(); openDetail(Number(next.dataset.alertId)); }
    return;
  }
  if (!open) return;
  if (e.key === "c" || e.key === "C") { e.preventDefault(); review("confirmed", null); return; }
  const reason = $("#dismiss-reasons").children[Number(e.key) - 1];
  if (/^[1-9]$/.test(e.key) && reason) { e.preventDefault(); reason.click(); }
});

// ---- search ----
// Newest first, 200 at a time; "Older alerts" reads on from the last one shown (until 2026-11-25 only the newest 200 could be
// seen, said to be the "first 200").
const SEARCH_PAGE = 200;
let searchShown = [];
async function searchAlerts(older) {
  const query = new URLSearchParams();
  for (const [k, v] of new FormData($("#search-form"))) {
    if (!v) continue;
    query.set(k, k === "from" || k === "to" ? instant(v) : v);
  }
  query.set("limit", String(SEARCH_PAGE));
  if (older) query.set("before", String(searchShown[searchShown.length - 1].id));
  try {
    const alerts = await api(`/api/alerts?${query}`);
    searchShown = older ? searchShown.concat(alerts) : alerts;
    if (older) $("#results").append(...alerts.map(card));
    else $("#results").replaceChildren(...alerts.map(card));
    const more = alerts.length === SEARCH_PAGE;
    $("#search-older").hidden = !more;
    $("#search-summary").textContent = `${searchShown.length} alert(s), newest first${more ? "; older ones below" : ""}`;
  } catch (err) {
    $("#search-summary").textContent = err.message;
  }
}
$("#search-form").addEventListener("submit", e => { e.preventDefault(); searchAlerts(false); });
$("#search-older").addEventListener("click", () => searchAlerts(true));

// ---- recordings: forensic search ----
let cases = [];
async function loadCases() {
  cases = await api("/api/forensic/cases");
  const select = $("#forensic-form [name=case]");
  const chosen = select.value;
  select.replaceChildren(...cases.map(c => el("option", { value: c.name, textContent: `${c.name} (${c.cameras.join(", ")}, ${when(c.from)} – ${when(c.to)})` })));
  if (chosen) select.value = chosen;
  if (cases.length === 0) $("#forensic-summary").textContent = "No indexed case yet: run `vigie index … --out <forensic folder>/<case>`.";
  fillPlaces();
}
function fillPlaces() {
  const c = cases.find(x => x.name === $("#forensic-form [name=case]").value);
  for (const [field, names] of [["zone", c?.zones ?? []], ["line", c?.lines ?? []]])
    $(`#forensic-form [name=${field}]`).replaceChildren(el("option", { value: "", textContent: "any" }), ...names.map(n => el("option", { value: n, textContent: n })));
}
$("#forensic-form [name=case]").addEventListener("change", fillPlaces);

let playingTrack = null;

// A supervisor may see the moment unblurred, giving a reason the service writes in the audit log.
// The video is fetched whole and shown from memory: nothing unblurred is stored, on either side.
$("#forensic-unblur").addEventListener("submit", async e => {
  e.preventDefault();
  if (!playingTrack) return;
  const reason = new FormData(e.target).get("reason");
  $("#forensic-moment").textContent = "Preparing the unblurred excerpt (this lift is logged)…";
  const response = await fetch(`${playingTrack}/excerpt/unblurred?reason=${encodeURIComponent(reason)}`, { credentials: "same-origin" });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    $("#forensic-moment").textContent = Object.values(problem.errors ?? {}).flat().join(" ") || problem.detail || `refused (${response.status})`;
    return;
  }
  const video = $("#forensic-video");
  if (video.src.startsWith("blob:")) URL.revokeObjectURL(video.src);
  video.onloadeddata = () => { $("#forensic-moment").textContent = "Unblurred (logged with your reason)."; };
  video.src = URL.createObjectURL(await response.blob());
});

function trackCard(caseName, t) {
  const facts = [
    `${t.class}, ${when(t.start)}, ${t.duration_s.toFixed(1)} s`,
    t.heading === "static" ? "static" : `heading ${t.heading}`,
    ...t.zones.map(z => `in ${z.zone} ${z.dwell_s.toFixed(0)} s`),
    ...t.lines.map(l => `crossed ${l.line} ${l.towards}`),
    ...(t.colour ? [t.colour] : []),
  ];
  const item = el("li", { className: "track", tabIndex: 0, title: "Play this moment" },
    t.thumbnail ? el("img", { src: t.thumbnail, alt: `${t.class} thumbnail (people pixelated)`, loading: "lazy" }) : el("div", { className: "no-image", textContent: "no thumbnail" }),
    el("span", { textContent: facts.join(" · ") }));
  const play = () => {
    playingTrack = `/api/forensic/cases/${encodeURIComponent(caseName)}/tracks/${t.id}`;
    $("#forensic-player").hidden = false;
    $("#forensic-unblur").style.display = "";
    $("#forensic-moment").textContent = `${t.class} at ${when(t.start)} — ${t.recording.split("/").pop()} @ ${t.offset_s.toFixed(1)} s (preparing the excerpt…)`;
    const video = $("#forensic-video");
    if (video.src.startsWith("blob:")) URL.revokeObjectURL(video.src);
    video.onloadeddata = () => { $("#forensic-moment").textContent = `${t.class} at ${when(t.start)} — ${t.recording.split("/").pop()} @ ${t.offset_s.toFixed(1)} s`; };
    video.onerror = () => { $("#forensic-moment").textContent = "The excerpt could not be made (recording moved or unreadable)."; };
    video.src = `/api/forensic/cases/${encodeURIComponent(caseName)}/tracks/${t.id}/excerpt`;
  };
  item.addEventListener("click", play);
  item.addEventListener("keydown", e => { if (e.key === "Enter") play(); });
  return item;
}

let lastSearch = null;
// In time order, 200 at a time; "Later objects" reads on after the last one shown (until 2026-11-25 a search stopped at 200).
const FORENSIC_PAGE = 200;
let forensicShown = [];
async function searchTracks(more) {
  const data = new FormData($("#forensic-form"));
  const caseName = more ? lastSearch.caseName : data.get("case");
  const query = new URLSearchParams(more ? lastSearch.query : undefined);
  if (!more) for (const [k, v] of data) if (v && k !== "case") query.set(k, v);
  const page = new URLSearchParams(query);
  if (more) page.set("after", String(forensicShown[forensicShown.length - 1].id));
  try {
    const tracks = await api(`/api/forensic/cases/${encodeURIComponent(caseName)}/tracks?${page}`);
    forensicShown = more ? forensicShown.concat(tracks) : tracks;
    const cards = tracks.map(t => trackCard(caseName, t));
    if (more) $("#forensic-results").append(...cards);
    else $("#forensic-results").replaceChildren(...cards);
    const later = tracks.length === FORENSIC_PAGE;
    $("#forensic-more").hidden = !later;
    $("#forensic-summary").textContent = `${forensicShown.length} object(s), in time order${later ? "; later ones below" : ""}`;
    if (more) return;
    lastSearch = { caseName, query };
    $("#forensic-synopsis").hidden = tracks.length === 0;
    await showMissing(caseName, query);
  } catch (err) {
    $("#forensic-summary").textContent = err.message;
  }
}
$("#forensic-form").addEventListener("submit", e => { e.preventDefault(); searchTracks(false); });
$("#forensic-more").addEventListener("click", () => searchTracks(true));

// Footage missing in the searched span: finding nothing there proves nothing.
async function showMissing(caseName, query) {
  const span = new URLSearchParams();
  for (const k of ["camera", "from", "to"]) if (query.get(k)) span.set(k, query.get(k));
  const missing = await api(`/api/forensic/cases/${encodeURIComponent(caseName)}/missing?${span}`);
  const box = $("#forensic-missing");
  box.hidden = missing.length === 0;
  const total = missing.reduce((a, m) => a + m.length_s, 0);
  box.textContent = missing.length === 0 ? "" : `No picture for ${minutes(total)} of this span (nothing can have been found there): `
    + missing.slice(0, 10).map(m => `${m.camera} ${when(m.from)} – ${when(m.to)} (${m.where})`).join("; ")
    + (missing.length > 10 ? `; … and ${missing.length - 10} more` : "");
}

// The synopsis of the last search's results (all of them, not only the first 200 shown), made by the service.
$("#forensic-synopsis").addEventListener("submit", async e => {
  e.preventDefault();
  if (!lastSearch) return;
  const query = new URLSearchParams(lastSearch.query);
  query.set("length", new FormData(e.target).get("length"));
  playingTrack = null;
  $("#forensic-player").hidden = false;
  $("#forensic-unblur").style.display = "none";
  $("#forensic-moment").textContent = "Asking for the synopsis…";
  const stopButton = $("#forensic-synopsis-stop");
  let state, stopped = false;
  try {
    state = await api(`/api/forensic/cases/${encodeURIComponent(lastSearch.caseName)}/synopses?${query}`, { method: "POST" });
    const address = `/api/forensic/cases/${encodeURIComponent(lastSearch.caseName)}/synopses/${state.id}`;
    stopButton.onclick = async () => {
      stopped = true;
      stopButton.hidden = true;
      await api(address, { method: "DELETE" }).catch(() => {});
    };
    while (!stopped && (state.state === "waiting" || state.state === "making")) {
      stopButton.hidden = false;
      $("#forensic-moment").textContent = state.state === "waiting"
        ? "The synopsis waits for the service's previous video job…"
        : `Making the synopsis… ${Math.round(100 * state.progress)} %`;
      await new Promise(resolve => setTimeout(resolve, 1000));
      if (!stopped) state = await api(address);
    }
  } catch (err) {
    if (!stopped) {
      $("#forensic-moment").textContent = err.message;
      return;
    }
  } finally {
    stopButton.hidden = true;
  }
  if (stopped) {
    $("#forensic-moment").textContent = "Synopsis stopped: nothing of it was kept.";
    return;
  }
  if (state.state !== "ready") {
    $("#forensic-moment").textContent = `The synopsis could not be made: ${state.problem}`;
    return;
  }
  const video = $("#forensic-video");
  if (video.src.startsWith("blob:")) URL.revokeObjectURL(video.src);
  video.onloadeddata = () => {
    $("#forensic-moment").textContent = `Synopsis of ${state.objects} object(s) from ${minutes(state.source_s)} of footage in ${minutes(state.synopsis_s)}`
      + ` (condensation ${state.condensation.toFixed(1)}×, overlap ${(100 * state.overlap_fraction).toFixed(1)} % of object area)`;
  };
  video.onerror = () => { $("#forensic-moment").textContent = "The synopsis could not be played."; };
  video.src = state.video;
});

// ---- cameras ----
let previewTimer = null;
async function refreshCameras() {
  const cameras = await api("/api/cameras");
  const root = $("#cameras");
  // Counts shown so far stay on the rebuilt cards until their fresh values arrive: no flicker every 2 s.
  const shown = new Map([...root.querySelectorAll(".camera[data-camera]")].map(b => [b.dataset.camera, b.querySelector(".measurements")]));
  root.replaceChildren(...cameras.map(c => {
    const img = el("img", { alt: `live preview of ${c.name}` });
    img.dataset.camera = c.name;
    const edit = can("supervisor") ? el("button", { textContent: "Edit zones and lines" }) : "";
    if (edit) edit.addEventListener("click", () => openEditor(c.name));
    const box = el("div", { className: "camera" },
      el("h3", { textContent: c.name }), img,
      el("div", {}, el("span", { className: `state ${c.state}`, textContent: c.state }), ` · ${c.fps} fps · last frame ${when(c.last_frame_at)}`),
      el("div", { textContent: `${c.frames_analysed} frames analysed, ${c.frames_dropped} dropped, ${c.reconnects} reconnection(s)` }),
      el("div", { textContent: `analysed for: ${c.use_cases.join(", ") || "nothing"}${c.refused.length ? ` · refused (no authorisation): ${c.refused.join(", ")}` : ""}` }),
      c.last_error ? el("div", { className: "error", textContent: `last error (${when(c.last_error_at)}): ${c.last_error}` }) : "",
      edit);
    box.dataset.camera = c.name;
    if (shown.get(c.name)) box.insertBefore(shown.get(c.name), box.querySelector("button"));
    if (c.use_cases.includes("crowd_density")) showMeasurements(box, c.name).catch(() => {});
    return box;
  }));
  for (const select of [$("#search-form [name=camera]")]) {
    const chosen = select.value;
    select.replaceChildren(el("option", { value: "", textContent: "any" }), ...cameras.map(c => el("option", { value: c.name, textContent: c.name })));
    select.value = chosen;
  }
  refreshPreviews();
}
// People counts (and densities) of the last ten minutes, one line per zone with a sparkline.
const MEASURED = ["persons", "density"];
async function showMeasurements(box, name) {
  const since = new Date(Date.now() - 10 * 60 * 1000).toISOString();
  const series = (await api(`/api/cameras/${encodeURIComponent(name)}/measurements?since=${encodeURIComponent(since)}`))
    .filter(s => MEASURED.includes(s.name) && s.points.length);
  if (!series.length) return;
  const number = v => Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1);
  box.querySelector(".measurements")?.remove();
  box.insertBefore(el("div", { className: "measurements" }, ...series.map(s => {
    const values = s.points.map(p => p.value);
    const line = el("div", {}, sparkline(values), ` ${s.where}: ${number(values[values.length - 1])} ${s.unit} now, peak ${number(Math.max(...values))} in 10 min`);
    line.dataset.where = s.where;
    line.dataset.name = s.name;
    return line;
  })), box.querySelector("button"));
}
function sparkline(values) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 100 20");
  svg.setAttribute("class", "sparkline");
  const top = Math.max(...values, 1);
  const step = values.length > 1 ? 100 / (values.length - 1) : 0;
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", values.map((v, i) => `${(i * step).toFixed(1)},${(19 - 18 * v / top).toFixed(1)}`).join(" "));
  svg.append(line);
  return svg;
}
function refreshPreviews() {
  for (const img of document.querySelectorAll("#cameras img[data-camera]"))
    img.src = `/api/cameras/${encodeURIComponent(img.dataset.camera)}/snapshot?t=${Date.now()}`;
}
setInterval(() => { if (!$("#view-cameras").hidden) refreshCameras().catch(() => {}); }, 2000);

// ---- zone and line editor (normalised coordinates, 0..1) ----
const ZONE_USE_CASES = ["intrusion", "wrong_way", "abandoned_object", "person_down", "fire", "weapon", "crowd_movement", "crowd_density"];
// Settings a use case cannot do without when ticked in the editor; the others take their documented defaults.
const NEW_USE_CASE = { person_down: () => ({ exclude: false }), crowd_density: () => ({ max_persons: 50 }) };
// drawing: "zone", "line", "calibration" (four ground points) or "direction" (the allowed direction of the wrong-way zone `target`).
const editor = { camera: null, scene: null, drawing: null, points: [], target: null };
const canvas = $("#editor-canvas");

async function openEditor(name) {
  editor.camera = name;
  editor.scene = await api(`/api/cameras/${encodeURIComponent(name)}/scene`);
  editor.drawing = null;
  editor.points = [];
  $("#editor-camera").textContent = name;
  $("#editor-message").textContent = "";
  const img = $("#editor-image");
  img.onload = () => { canvas.width = img.naturalWidth; canvas.height = img.naturalHeight; draw(); };
  img.src = `/api/cameras/${encodeURIComponent(name)}/snapshot?t=${Date.now()}`;
  $("#editor").hidden = false;
  renderItems();
}

function pointFrom(event) {
  const r = canvas.getBoundingClientRect();
  const clamp = v => Math.min(1, Math.max(0, Math.round(v * 1000) / 1000));
  return [clamp((event.clientX - r.left) / r.width), clamp((event.clientY - r.top) / r.height)];
}

canvas.addEventListener("click", e => {
  if (!editor.drawing) return;
  editor.points.push(pointFrom(e));
  if (editor.drawing === "line" && editor.points.length === 2) {
    editor.scene.lines.push({ name: uniqueName("line", editor.scene.lines), from: editor.points[0], to: editor.points[1], forbidden: "both" });
    stopDrawing();
  } else if (editor.drawing === "calibration" && editor.points.length === 4) {
    const ground = editor.scene.calibration?.ground_m ?? [[0, 0], [0, 0], [0, 0], [0, 0]];
    editor.scene.calibration = { image: editor.points, ground_m: ground };
    showEditorMessage("", "Now give each numbered point its position on the ground, in metres.");
    stopDrawing();
  } else if (editor.drawing === "direction" && editor.points.length === 2) {
    const [[x0, y0], [x1, y1]] = editor.points;
    if (Math.hypot(x1 - x0, y1 - y0) < 0.02) {
      editor.points = [];
      showEditorMessage("error", "Click two points apart: where traffic comes from, then where it goes.");
    } else {
      editor.target.use_cases.wrong_way.allowed_direction = [Math.round((x1 - x0) * 1000) / 1000, Math.round((y1 - y0) * 1000) / 1000];
      showEditorMessage("", "");
      stopDrawing();
    }
  }
  $("#tool-close").disabled = !(editor.drawing === "zone" && editor.points.length >= 3);
  draw();
});

function uniqueName(prefix, items) {
  let i = items.length + 1;
  while (items.some(x => x.name === `${prefix}_${i}`)) i++;
  return `${prefix}_${i}`;
}
function stopDrawing() { editor.drawing = null; editor.points = []; editor.target = null; $("#tool-close").disabled = true; renderItems(); draw(); }

function drawDirection(zone) {
  editor.drawing = "direction";
  editor.points = [];
  editor.target = zone;
  showEditorMessage("", `Wrong way in ${zone.name}: click where traffic comes from, then where it goes.`);
  draw();
}

function showEditorMessage(kind, text) {
  const message = $("#editor-message");
  message.className = kind ? `message ${kind}` : "message";
  message.textContent = text;
}

$("#tool-zone").addEventListener("click", () => { editor.drawing = "zone"; editor.points = []; draw(); });
$("#tool-line").addEventListener("click", () => { editor.drawing = "line"; editor.points = []; draw(); });
$("#tool-calibrate").addEventListener("click", () => {
  editor.drawing = "calibration";
  editor.points = [];
  showEditorMessage("", "Ground calibration: click four points on the ground whose positions you know (marks, tiles, kerb corners), no three on a line.");
  draw();
});
$("#tool-cancel").addEventListener("click", () => {
  // A wrong-way zone left without its direction could not be saved: untick it.
  const wrongWay = editor.drawing === "direction" && editor.target.use_cases.wrong_way;
  if (wrongWay && !wrongWay.allowed_direction) delete editor.target.use_cases.wrong_way;
  showEditorMessage("", "");
  stopDrawing();
});
$("#tool-close").addEventListener("click", () => {
  editor.scene.zones.push({ name: uniqueName("zone", editor.scene.zones), polygon: editor.points, use_cases: { intrusion: {} } });
  stopDrawing();
});
$("#editor-close").addEventListener("click", () => { $("#editor").hidden = true; });
$("#editor-save").addEventListener("click", async () => {
  try {
    editor.scene = await api(`/api/cameras/${encodeURIComponent(editor.camera)}/scene`, { method: "PUT", body: JSON.stringify(editor.scene) });
    showEditorMessage("ok", "Saved; the camera restarted with the new scene.");
    renderItems();
    draw();
  } catch (err) {
    showEditorMessage("error", err.message);
  }
});

function draw() {
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  g.lineWidth = Math.max(2, w / 400);
  g.font = `${Math.max(12, w / 60)}px sans-serif`;
  const path = (pts, close) => { g.beginPath(); pts.forEach(([x, y], i) => i ? g.lineTo(x * w, y * h) : g.moveTo(x * w, y * h)); if (close) g.closePath(); };
  for (const z of editor.scene?.zones ?? []) {
    path(z.polygon, true);
    g.fillStyle = "rgba(255,200,0,.2)"; g.fill(); g.strokeStyle = "#ffc800"; g.stroke();
    g.fillStyle = "#ffc800"; g.fillText(z.name, z.polygon[0][0] * w + 4, z.polygon[0][1] * h + 16);
    const allowed = z.use_cases?.wrong_way?.allowed_direction;
    if (allowed) drawArrow(g, z.polygon, allowed, w, h);
  }
  for (const l of editor.scene?.lines ?? []) {
    path([l.from, l.to], false); g.strokeStyle = "#00c8ff"; g.stroke();
    g.fillStyle = "#00c8ff"; g.fillText(`${l.name} (${l.forbidden})`, l.from[0] * w + 4, l.from[1] * h - 6);
  }
  const calibration = editor.scene?.calibration;
  if (calibration) {
    path(calibration.image, true); g.strokeStyle = "#ff40ff"; g.stroke();
    calibration.image.forEach(([x, y], i) => {
      g.fillStyle = "#ff40ff"; g.fillRect(x * w - 4, y * h - 4, 8, 8); g.fillText(String(i + 1), x * w + 6, y * h - 6);
    });
  }
  if (editor.points.length) {
    path(editor.points, false); g.strokeStyle = "#ff3030"; g.stroke();
    for (const [x, y] of editor.points) { g.fillStyle = "#ff3030"; g.fillRect(x * w - 3, y * h - 3, 6, 6); }
  }
}

// The allowed direction of a wrong-way zone, as an arrow from the zone's centre.
function drawArrow(g, polygon, [dx, dy], w, h) {
  const cx = polygon.reduce((s, p) => s + p[0], 0) / polygon.length * w;
  const cy = polygon.reduce((s, p) => s + p[1], 0) / polygon.length * h;
  const length = Math.hypot(dx * w, dy * h) || 1;
  const ux = dx * w / length, uy = dy * h / length, size = Math.max(40, w / 12);
  const tipX = cx + ux * size, tipY = cy + uy * size;
  g.beginPath();
  g.moveTo(cx - ux * size, cy - uy * size); g.lineTo(tipX, tipY);
  g.moveTo(tipX - ux * size / 3 - uy * size / 4, tipY - uy * size / 3 + ux * size / 4); g.lineTo(tipX, tipY);
  g.lineTo(tipX - ux * size / 3 + uy * size / 4, tipY - uy * size / 3 - ux * size / 4);
  g.strokeStyle = "#30ff60"; g.stroke();
}

function renderItems() {
  const root = $("#editor-items");
  const items = [];
  editor.scene.zones.forEach((z, i) => {
    const name = el("input", { type: "text", value: z.name });
    name.addEventListener("change", () => { z.name = name.value.trim(); draw(); });
    const cases = ZONE_USE_CASES.map(k => {
      const box = el("input", { type: "checkbox", checked: !!(z.use_cases && z.use_cases[k]) });
      box.dataset.useCase = k;
      box.addEventListener("change", () => {
        z.use_cases = z.use_cases || {};
        if (box.checked) z.use_cases[k] = z.use_cases[k] || (NEW_USE_CASE[k] ? NEW_USE_CASE[k]() : {});
        else delete z.use_cases[k];
        // Wrong way means nothing without the way that is right: ask for it at once.
        if (box.checked && k === "wrong_way" && !z.use_cases.wrong_way.allowed_direction) drawDirection(z);
        else renderItems();
      });
      const label = el("label", {}, box, ` ${kindLabel(k)} `);
      const density = k === "crowd_density" && z.use_cases && z.use_cases.crowd_density;
      if (density) label.append(...densityLimit(density));
      const wrongWay = k === "wrong_way" && z.use_cases && z.use_cases.wrong_way;
      if (wrongWay) {
        const redraw = el("button", { textContent: wrongWay.allowed_direction ? "Redraw allowed direction" : "Draw allowed direction" });
        redraw.dataset.direction = z.name;
        redraw.addEventListener("click", () => drawDirection(z));
        label.append(redraw, " ");
      }
      return label;
    });
    const remove = el("button", { textContent: "Delete" });
    remove.addEventListener("click", () => { editor.scene.zones.splice(i, 1); renderItems(); draw(); });
    items.push(el("div", { className: "editor-item" }, el("strong", { textContent: "Zone " }), name, el("div", {}, ...cases), remove));
  });
  if (editor.scene.calibration) items.push(calibrationItem(editor.scene.calibration));
  editor.scene.lines.forEach((l, i) => {
    const name = el("input", { type: "text", value: l.name });
    name.addEventListener("change", () => { l.name = name.value.trim(); draw(); });
    const forbidden = el("select", {}, ...["both", "left_to_right", "right_to_left"].map(v => el("option", { value: v, textContent: v.replaceAll("_", " ") })));
    forbidden.value = l.forbidden;
    forbidden.addEventListener("change", () => { l.forbidden = forbidden.value; draw(); });
    const remove = el("button", { textContent: "Delete" });
    remove.addEventListener("click", () => { editor.scene.lines.splice(i, 1); renderItems(); draw(); });
    items.push(el("div", { className: "editor-item" }, el("strong", { textContent: "Line " }), name, el("label", {}, " forbidden crossing ", forbidden), remove));
  });
  root.replaceChildren(...(items.length ? items : [el("p", { className: "hint", textContent: "No zone or line yet." })]));
}

// A crowd-density zone's limit: people, or persons per m² once the camera has a ground calibration.
function densityLimit(density) {
  const perArea = density.max_density != null;
  const limit = el("input", { type: "number", min: "0", step: perArea ? "0.1" : "1", value: perArea ? density.max_density : density.max_persons ?? 50, className: "limit" });
  limit.dataset.limit = "crowd_density";
  limit.addEventListener("change", () => {
    if (density.max_density != null) density.max_density = Number(limit.value);
    else density.max_persons = Number(limit.value);
  });
  if (!editor.scene.calibration && !perArea) return ["above ", limit, " people "];
  const unit = el("select", {}, el("option", { value: "people", textContent: "people" }), el("option", { value: "per_m2", textContent: "persons per m²" }));
  unit.dataset.unit = "crowd_density";
  unit.value = perArea ? "per_m2" : "people";
  unit.addEventListener("change", () => {
    if (unit.value === "per_m2") { delete density.max_persons; density.max_density = 2; }
    else { delete density.max_density; density.max_persons = 50; }
    renderItems();
  });
  return ["above ", limit, " ", unit, " "];
}

// The ground calibration: the four clicked points and their positions on the ground in metres.
function calibrationItem(calibration) {
  const rows = calibration.image.map(([x, y], i) => {
    const metres = axis => {
      const input = el("input", { type: "number", step: "0.1", value: calibration.ground_m[i][axis], className: "metres" });
      input.dataset.ground = `${i}-${axis ? "y" : "x"}`;
      input.addEventListener("change", () => { calibration.ground_m[i][axis] = Number(input.value); });
      return input;
    };
    return el("div", {}, `point ${i + 1} (${x.toFixed(2)}, ${y.toFixed(2)}) on the ground at x `, metres(0), " m, y ", metres(1), " m");
  });
  const redraw = el("button", { textContent: "Redraw points" });
  redraw.addEventListener("click", () => $("#tool-calibrate").click());
  const remove = el("button", { textContent: "Remove calibration" });
  remove.addEventListener("click", () => {
    // Limits per m² mean nothing without it: they go back to a people count.
    for (const z of editor.scene.zones) {
      const d = z.use_cases?.crowd_density;
      if (d && d.max_density != null) { delete d.max_density; d.max_persons = 50; }
    }
    editor.scene.calibration = null;
    renderItems();
    draw();
  });
  return el("div", { className: "editor-item calibration" }, el("strong", { textContent: "Ground calibration" }), ...rows, redraw, remove);
}

// ---- authorisations ----
async function loadAuthorisations() {
  const acts = await api("/api/authorisations");
  const now = Date.now();
  $("#authorisation-rows").replaceChildren(...acts.map(a => {
    const state = a.revoked ? `revoked ${when(a.revoked)} by ${a.revoked_by}: ${a.revoke_reason}`
      : Date.parse(a.starts) > now ? "not yet in force" : Date.parse(a.ends) <= now ? "expired" : "in force";
    let action = "";
    if (can("administrator") && !a.revoked) {
      action = el("button", { textContent: "Revoke" });
      action.addEventListener("click", async () => {
        const reason = prompt(`Why is ${a.reference} revoked?`);
        if (!reason) return;
        try { await api(`/api/authorisations/${a.id}/revoke`, { method: "POST", body: JSON.stringify({ reason }) }); } catch (err) { alert(err.message); }
        loadAuthorisations();
      });
    }
    return el("tr", {}, ...[a.reference, a.authority, a.act_date, a.cameras.join(", "), a.use_cases.join(", "), when(a.starts), when(a.ends), a.perimeter, state]
      .map(v => el("td", { textContent: v })), el("td", {}, action));
  }));
}

$("#authorisation-form").addEventListener("submit", async e => {
  e.preventDefault();
  const form = e.target;
  const data = new FormData(form);
  const message = $("#authorisation-message");
  try {
    await api("/api/authorisations", {
      method: "POST",
      body: JSON.stringify({
        reference: data.get("reference"), authority: data.get("authority"), act_date: data.get("act_date"),
        cameras: data.getAll("cameras"), use_cases: data.getAll("use_cases"),
        starts: instant(data.get("starts")), ends: instant(data.get("ends")), perimeter: data.get("perimeter"),
      }),
    });
    form.reset();
    message.className = "message ok";
    message.textContent = "Recorded; analysis starts by itself when it comes into force.";
    loadAuthorisations();
  } catch (err) {
    message.className = "message error";
    message.textContent = err.message;
  }
});

// ---- users ----
async function loadUsers() {
  const users = await api("/api/users");
  $("#user-rows").replaceChildren(...users.map(u => {
    const state = u.disabled ? "disabled" : u.locked_until && Date.parse(u.locked_until) > Date.now() ? `locked until ${when(u.locked_until)}` : "active";
    const actions = el("td");
    const change = (label, body) => {
      const b = el("button", { textContent: label });
      b.addEventListener("click", async () => {
        try { await api(`/api/users/${encodeURIComponent(u.name)}`, { method: "PATCH", body: JSON.stringify(body) }); } catch (err) { alert(err.message); }
        loadUsers();
      });
      actions.append(b, " ");
    };
    if (state.startsWith("locked")) change("Unlock", { unlock: true });
    change(u.disabled ? "Enable" : "Disable", { disabled: !u.disabled });
    return el("tr", {}, el("td", { textContent: u.name }), el("td", { textContent: u.role }), el("td", { textContent: when(u.created) }),
      el("td", { textContent: state }), actions);
  }));
}

$("#user-form").addEventListener("submit", async e => {
  e.preventDefault();
  const data = new FormData(e.target);
  const message = $("#user-message");
  try {
    await api("/api/users", { method: "POST", body: JSON.stringify({ name: data.get("name"), role: data.get("role"), password: data.get("password") }) });
    e.target.reset();
    message.className = "message ok";
    message.textContent = "User created.";
    loadUsers();
  } catch (err) {
    message.className = "message error";
    message.textContent = err.message;
  }
});

// ---- audit ----
// Newest first, 200 at a time, back to the first with "Older entries" (until 2026-11-25 the page read the first 5,000 entries
// and showed their last 300: on a log longer than that, never the newest).
const AUDIT_PAGE = 200;
// The actions offered as filters: those met so far on the page.
const auditActions = new Set();
let auditOldest = null;
let auditShown = 0;

// A long detail (a configuration, a search) is cut to a line; the whole of it, laid out, one click away.
function auditDetail(text) {
  if (text.length <= 160) return el("td", { textContent: text });
  let whole = text;
  try { whole = JSON.stringify(JSON.parse(text), null, 2); } catch { /* shown as stored */ }
  return el("td", {}, el("details", {}, el("summary", { textContent: text.slice(0, 160) + "…" }), el("pre", { textContent: whole })));
}

async function loadAudit(older = false) {
  const filters = new FormData($("#audit-form"));
  const query = new URLSearchParams({ before: older ? auditOldest : 0, limit: AUDIT_PAGE });
  for (const name of ["action", "actor"]) if (filters.get(name)?.trim()) query.set(name, filters.get(name).trim());
  const entries = await api(`/api/audit?${query}`);
  // The API gives them in order; the page shows the newest first.
  const rows = [...entries].reverse().map(a =>
    el("tr", {}, ...[a.seq, when(a.at), a.actor, a.action, a.subject].map(v => el("td", { textContent: String(v) })), auditDetail(a.detail)));
  for (const a of entries) auditActions.add(a.action);
  $("#audit-actions").replaceChildren(...[...auditActions].sort().map(a => el("option", { value: a })));
  if (older) $("#audit-rows").append(...rows);
  else $("#audit-rows").replaceChildren(...rows);
  auditShown = (older ? auditShown : 0) + entries.length;
  if (entries.length > 0) auditOldest = entries[0].seq;
  $("#audit-older").hidden = entries.length < AUDIT_PAGE;
  $("#audit-count").textContent = `${auditShown} entries shown, newest first`;
}
$("#audit-form").addEventListener("submit", e => { e.preventDefault(); loadAudit().catch(err => { $("#audit-count").textContent = err.message; }); });
$("#audit-older").addEventListener("click", () => loadAudit(true).catch(err => { $("#audit-count").textContent = err.message; }));
$("#audit-verify").addEventListener("click", async () => {
  const result = await api("/api/audit/verify");
  $("#audit-state").textContent = result.breaks.length === 0
    ? `intact: ${result.entries} entries`
    : `BROKEN: ${result.breaks.map(b => `entry ${b.seq}: ${b.problem}`).join("; ")}`;
});

// ---- reports ----
$("#report-form").addEventListener("submit", e => {
  e.preventDefault();
  const data = new FormData(e.target);
  const query = new URLSearchParams();
  // Whole days, the last one included: from the first day's midnight to the midnight after the last.
  const dayAfter = day => new Date(Date.parse(`${day}T00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  if (data.get("from")) query.set("from", instant(`${data.get("from")}T00:00`));
  if (data.get("to")) query.set("to", instant(`${dayAfter(data.get("to"))}T00:00`));
  window.open(`/api/reports/reviews.html?${query}`, "_blank");
});

// ---- start ----
let started = false;
// A camera down, alerts delayed (database down) or without evidence (disk full): whoever watches must know.
async function refreshServiceWarning() {
  const health = await (await fetch("/api/health")).json();
  const bar = $("#service-warning");
  bar.hidden = health.problems.length === 0;
  bar.textContent = health.problems.join(" ");
}

async function start(session) {
  me = session;
  siteZone = session.time_zone || null;
  $("#login").hidden = true;
  $("#who").textContent = `${me.name} (${me.role})`;
  $("#who").title = siteZone ? `Times are on the site's clock, ${siteZone}.` : "Times are on this computer's clock.";
  $("#logout").hidden = false;
  for (const e of document.querySelectorAll("[data-roles]")) e.hidden = !can(e.dataset.roles);
  renderChime();
  if (started) { location.reload(); return; }
  started = true;
  watchIdle();
  const [reasons, kinds] = await Promise.all([api("/api/review-reasons"), api("/api/use-cases")]);
  showDismissReasons(reasons);
  $("#search-form [name=kind]").append(...kinds.map(k => el("option", { value: k, textContent: kindLabel(k) })));
  $("#authorisation-form [name=use_cases]").append(...kinds.map(k => el("option", { value: k, textContent: kindLabel(k) })));
  const first = [...document.querySelectorAll("nav button")].find(b => !b.hidden);
  if (can("operator supervisor auditor")) {
    await loadFeed();
    connectStream();
  }
  if (can("operator supervisor")) refreshCameras().catch(() => {});
  refreshServiceWarning().catch(() => {});
  setInterval(() => refreshServiceWarning().catch(() => {}), 10000);
  if (can("administrator")) {
    const cameras = await api("/api/cameras");
    $("#authorisation-form [name=cameras]").append(...cameras.map(c => el("option", { value: c.name, textContent: c.name })));
  }
  // The user may already have opened a view while the lists above were loading.
  if (!document.querySelector("nav button.active")) show(first.dataset.view);
}

(async () => {
  const response = await fetch("/api/session");
  if (response.ok) await start(await response.json());
  else showLogin(sessionStorage.getItem("vigie.signed-out") ?? "");
  sessionStorage.removeItem("vigie.signed-out");
})();