"""The dialogs of the auditdesk app: modal screens that ask for a choice or a few values."""
