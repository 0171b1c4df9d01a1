"""auditdesk criteria."""
