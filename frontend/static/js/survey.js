// @ts-check
// The survey page's feeling thermometers: beside each number field (the answer itself, which
// works without script and may stay empty), a slider to set it with a finger. Moving either
// shows its value in the other; the slider looks faint until it is used, so an untouched
// question is not taken for a 50.

/**
 * Add a slider to one thermometer.
 * @param {HTMLElement} holder the element marked data-thermometer
 */
export function addSlider(holder) {
  const number = holder.querySelector("input[type=number]");
  if (!(number instanceof HTMLInputElement) || holder.querySelector("input[type=range]")) return;
  const range = document.createElement("input");
  range.type = "range";
  range.min = number.min || "0";
  range.max = number.max || "100";
  range.step = number.step || "1";
  range.tabIndex = -1; // the number field is the one for the keyboard and for screen readers
  range.setAttribute("aria-hidden", "true");
  const show = () => {
    const value = Number(number.value);
    const known = number.value.trim() !== "" && Number.isFinite(value);
    range.value = known ? String(value) : String((Number(range.min) + Number(range.max)) / 2);
    range.dataset.untouched = known ? "false" : "true";
  };
  show();
  range.addEventListener("input", () => {
    number.value = range.value;
    range.dataset.untouched = "false";
  });
  number.addEventListener("input", show);
  number.after(range);
}

for (const holder of document.querySelectorAll("[data-thermometer]")) {
  if (holder instanceof HTMLElement) addSlider(holder);
}
