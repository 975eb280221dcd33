// @ts-check
// Following the conversation: pure decisions, kept apart from the DOM so they can be tested.

/**
 * Was the reader at the end of a scrolled list? Asked BEFORE a new item is added (after it,
 * the new item's own height would count against the reader).
 * @param {{ scrollHeight: number, scrollTop: number, clientHeight: number }} list
 * @param {number} [slack] pixels from the end that still count as "at the end"
 * @returns {boolean}
 */
export function atEnd(list, slack = 48) {
  return list.scrollHeight - list.scrollTop - list.clientHeight <= slack;
}

/**
 * Whether a new statement should bring the list to its end: always for one's own words,
 * otherwise only when the reader was already at the end.
 * @param {boolean} wasAtEnd
 * @param {boolean} own
 * @returns {boolean}
 */
export function followNew(wasAtEnd, own) { return own || wasAtEnd; }
