// The insights page, live: `insights:updated` carries the whole unfiltered theme list
// (docs/events.md), so without a filter the page applies it as it comes — labels, counts, order,
// new and gone themes — keeping the quotes it already shows. A filtered view cannot be recounted
// from the event; it takes a fresh snapshot from the API instead.

import { ProjectStream } from "./live.js";
import { t } from "./ui.js";

const page = JSON.parse(document.getElementById("page-data").textContent);
const counts = document.getElementById("insight-counts");

// The server draws each counted text for 1 and for 7 in the page's language; the number is
// swapped for the real one (Korean has one form, English two).
function plural(kind, n) {
  const one = n === 1;
  const text = counts.dataset[`${kind}${one ? "One" : "Many"}`];
  return text.replace(one ? "1" : "7", String(n));
}

function rowFor(theme) {
  let row = document.querySelector(`li.theme[data-theme="${theme.id}"]`);
  if (!row) {
    row = document.getElementById("theme-template").content.firstElementChild.cloneNode(true);
    row.dataset.theme = theme.id;
  }
  row.querySelector('[data-slot="label"]').textContent = theme.label;
  row.querySelector('[data-slot="pinned"]').hidden = !theme.pinned;
  row.querySelector('[data-slot="interviews"]').textContent = plural("interviews", theme.interviews);
  row.querySelector('[data-slot="share"]').textContent = `${Math.round(theme.share * 100)}%`;
  row.querySelector('[data-slot="mentions"]').textContent = plural("mentions", theme.mentions);
  const edit = row.querySelector('[data-slot="edit"]');
  if (edit) {
    edit.action = `/projects/${page.project_id}/insights/themes/${theme.id}`;
    if (!edit.closest("details").open) {
      edit.elements.label.value = theme.label;
      edit.elements.pinned.checked = theme.pinned;
    }
  }
  return row;
}

/** Replace the lists with `themes` (already in display order). */
export function apply(data) {
  const lists = { pain: document.getElementById("themes-pain"), need: document.getElementById("themes-need") };
  const rows = { pain: [], need: [] };
  for (const theme of data.themes) {
    if (!theme.hidden) rows[theme.kind].push(rowFor(theme));
  }
  for (const kind of Object.keys(lists)) lists[kind].replaceChildren(...rows[kind]);
  counts.querySelector('[data-slot="interviews"]').textContent = plural("interviews", data.interview_count);
  document.getElementById("insight-empty").hidden = data.themes.length > 0;
  document.getElementById("insight-pending").hidden = !data.pending;
}

async function snapshot() {
  // The filters the page applied, not the address: a refused filter (reversed dates) is
  // dropped by the page, and sent as typed it made every snapshot a 422.
  const query = page.query ? `?${page.query}` : "";
  const r = await fetch(`/api/projects/${page.project_id}/insights${query}`, {
    headers: { Accept: "application/json" },
  });
  if (!r.ok) throw new Error(`insights: ${r.status}`);
  const data = await r.json();
  apply(data);
  return data.last_seq;
}

function setConn(state) {
  const conn = document.getElementById("conn");
  conn.hidden = false;
  conn.dataset.state = state;
  conn.querySelector('[data-slot="label"]').textContent = t(`conn.${state}`);
}

export function start() {
  const stream = new ProjectStream(page.project_id, {
    snapshot,
    state: setConn,
    event: (msg) => {
      if (msg.type !== "insights:updated") return;
      if (page.filtered) snapshot();
      else apply({ ...msg.data, pending: false });
    },
  });
  stream.start();
}
