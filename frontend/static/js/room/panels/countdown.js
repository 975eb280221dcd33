// @ts-check
// Countdowns: every `data-ends-at` element shows the time left until its moment.

import { formatClock, secondsUntil } from "../state.js";

/** @param {ParentNode} root */
export function showCountdowns(root) {
  for (const el of root.querySelectorAll("[data-ends-at]")) {
    el.textContent = formatClock(secondsUntil(el.getAttribute("data-ends-at")));
  }
}
