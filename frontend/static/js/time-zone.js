// @ts-check
// A time-zone field left empty (the programme has no zone yet) gets the browser's own zone,
// when it is one of the names the field's list offers.
for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll("input[data-time-zone]"))) {
  if (input.value.trim() !== "") continue;
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    zone = "";
  }
  const offered = input.list ? Array.from(input.list.options, (option) => option.value) : [];
  if (zone && (offered.length === 0 || offered.includes(zone))) input.value = zone;
}
