"""auditdesk store."""
