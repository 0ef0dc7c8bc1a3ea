"""Accounts: sign-in and sessions (auth, login_delay), one's own password (views), and the
district admin's screens for schools and users (admin)."""
