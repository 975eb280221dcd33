"""Accounts of the people who run Roundtable: admins, organisers and facilitators."""
