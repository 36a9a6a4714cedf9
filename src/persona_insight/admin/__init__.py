"""Administration: companies (super-admins), users and the audit log (company admins)."""
