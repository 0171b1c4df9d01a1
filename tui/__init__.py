"""auditdesk tui."""
