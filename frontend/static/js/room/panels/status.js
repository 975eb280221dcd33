// @ts-check
// The connection's state and the session's status, in the room's header.

/** @import { Change, RoomEventType } from "../types.js" */
/** @import { RoomView } from "../view.js" */

import { mayFind, mustFind } from "../dom.js";

export class StatusPanel {
  /** @type {readonly RoomEventType[]} */
  static events = ["session_status"];

  /** @param {RoomView} view */
  constructor(view) {
    this.view = view;
    this.connection = mustFind(view.root, "[data-part=connection]");
    this.session = mayFind(view.root, "[data-part=session-status]");
  }

  render() {
    const t = this.view.t;
    const state = this.view.connection.state;
    this.connection.dataset.state = state;
    this.connection.textContent = t(`connection.${state}`);
    const status = this.view.room.session?.status;
    if (this.session) {
      this.session.textContent = status ? t(`status.${status}`) : "";
      this.session.dataset.status = status || "";
    }
  }

  /** @param {Change} change */
  update(change) {
    this.render();
    if (change.kind === "status") this.view.announce(this.view.t(`status.${change.status}`));
  }
}
