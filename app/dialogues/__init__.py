"""Dialogue sessions: scheduling, agendas, invitations, seats and the lobby."""
