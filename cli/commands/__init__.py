"""The commands, grouped as the README groups them: audits, workflow, history, reports, the app."""
