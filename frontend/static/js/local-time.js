// @ts-check
// Shows every <time data-local-time> in the reader's own time zone.
const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  weekday: "short", day: "numeric", month: "short", year: "numeric",
  hour: "2-digit", minute: "2-digit", timeZoneName: "short",
});
for (const el of /** @type {NodeListOf<HTMLTimeElement>} */ (document.querySelectorAll("time[data-local-time]"))) {
  const moment = new Date(el.getAttribute("datetime") ?? "");
  if (!Number.isNaN(moment.getTime())) {
    el.title = el.textContent ?? "";
    el.textContent = format.format(moment);
  }
}
