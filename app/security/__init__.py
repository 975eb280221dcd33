"""Passwords, login sessions, CSRF, throttling, headers and permissions."""
