"""Accounts: companies, users, sign-in sessions, API tokens."""
