"""The screens of the auditdesk app, one per file."""
