"""Programmes: a series of dialogue sessions, with their communities and people."""
