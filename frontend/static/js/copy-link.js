// @ts-check
// "Copy" buttons next to invitation links: <button data-copy="#id">.
const buttons = /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll("button[data-copy]"));
for (const button of buttons) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const source = button.dataset.copy ? document.querySelector(button.dataset.copy) : null;
    if (!source) return;
    const field = source instanceof HTMLInputElement || source instanceof HTMLTextAreaElement ? source : null;
    const text = field ? field.value : source.textContent ?? "";
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      field?.select();
      document.execCommand?.("copy");
    }
    const label = button.textContent;
    button.textContent = button.dataset.copied || "Copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
