"""Roundtable: facilitated, moderated dialogue between communities in conflict."""
