"""Running a live session: who may enter the room, statements, presence, room state."""
