"""Small widgets the auditdesk screens are built from."""
