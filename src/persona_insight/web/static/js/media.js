// A recording on the interview page: the player above the script. A line's time (or an evidence
// link) plays from there; a page opened at `#line-N` (a search result, a citation elsewhere) starts
// from that line; the line being spoken is marked while it plays; the transcription's progress
// shows on the status badge.

import { t } from "./ui.js";

let player = null;
let timed = []; // [{start, line}] in time order

function playFrom(line, play) {
  if (!player || !line?.dataset.start) return;
  const seconds = Number(line.dataset.start) / 1000;
  const go = () => {
    player.currentTime = seconds;
    if (play) player.play().catch(() => {});
    mark();
  };
  // A click before the recording's metadata has arrived (a slow connection, a busy server):
  // seek once it has, rather than count on the browser keeping a seek made before it knows
  // the duration. Several such clicks: the last one wins.
  if (player.readyState >= 1) go();
  else player.addEventListener("loadedmetadata", go, { once: true });
}

/** Mark the line whose time span holds the player's position (from its start to the next's). */
function mark() {
  const ms = player.currentTime * 1000;
  let current = null;
  for (const item of timed) {
    if (item.start > ms + 1) break;
    current = item.line;
  }
  for (const line of document.querySelectorAll(".line.is-playing")) {
    if (line !== current) {
      line.classList.remove("is-playing");
      line.removeAttribute("aria-current");
    }
  }
  if (current && !current.classList.contains("is-playing")) {
    current.classList.add("is-playing");
    current.setAttribute("aria-current", "time");
  }
}

/** `interview:transcription_progress` for this page's interview. */
export function progress(data) {
  const badge = document.getElementById("interview-status");
  if (!badge || badge.dataset.status !== "transcribing") return;
  badge.textContent = t("transcribe.progress", { percent: data.percent });
}

export function start() {
  player = document.getElementById("player");
  if (!player) return;
  timed = [...document.querySelectorAll(".line[data-start]")]
    .map((line) => ({ start: Number(line.dataset.start), line }))
    .sort((a, b) => a.start - b.start);
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".line-play");
    if (button) {
      event.preventDefault();
      playFrom(button.closest(".line"), true);
      return;
    }
    // Evidence links keep their jump to the line, and play from it.
    const link = event.target.closest("a[data-lines]");
    if (link) playFrom(document.getElementById(`line-${link.dataset.lines.split(" ")[0]}`), true);
  });
  player.addEventListener("timeupdate", mark);
  player.addEventListener("seeked", mark);
  // Browsers may refuse to play without a click on this page; the player then waits at the line.
  const cue = () => {
    if (location.hash.startsWith("#line-")) playFrom(document.getElementById(location.hash.slice(1)), true);
  };
  window.addEventListener("hashchange", cue);
  if (player.readyState >= 1) cue();
  else player.addEventListener("loadedmetadata", cue, { once: true });
}
