// The trash says when each item will be deleted for good. Rows drawn by the server carry their
// date; a row the live list adds (just trashed) gets today plus the company's retention.

export function start() {
  const list = document.getElementById("trash-list");
  if (!list) return;
  const days = Number(list.dataset.purgeDays);
  const label = list.dataset.purgeLabel || "";
  const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    dateStyle: "medium",
  });
  const fill = () => {
    for (const slot of list.querySelectorAll('[data-slot="purge"]')) {
      if (slot.textContent.trim() || !days) continue;
      const when = new Date(Date.now() + days * 86400000);
      slot.textContent = label.replace("{date}", format.format(when));
      slot.hidden = false;
    }
  };
  fill();
  new MutationObserver(fill).observe(list, { childList: true });
}
