// @ts-check
// Shows every <time data-local-time> in the reader's own time zone, where the browser has
// the page language's date data. Many builds lack Azerbaijani and Armenian and would write
// "2026 M12 1": then the server's text (CLDR, in the session's zone) stays as it is.
const lang = document.documentElement.lang || "en";
const format = new Intl.DateTimeFormat(lang, {
  weekday: "short", day: "numeric", month: "short", year: "numeric",
  hour: "2-digit", minute: "2-digit", timeZoneName: "short",
});
const hasLanguage = format.resolvedOptions().locale.split("-")[0] === lang.split("-")[0];
if (hasLanguage) {
  for (const el of /** @type {NodeListOf<HTMLTimeElement>} */ (document.querySelectorAll("time[data-local-time]"))) {
    const moment = new Date(el.getAttribute("datetime") ?? "");
    if (!Number.isNaN(moment.getTime())) {
      el.title = el.textContent ?? "";
      el.textContent = format.format(moment);
    }
  }
}
