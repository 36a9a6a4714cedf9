"""The audit log: security-relevant actions, append-only, readable by company admins."""
