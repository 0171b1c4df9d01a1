"""auditdesk report."""
