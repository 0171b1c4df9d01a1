"""The audit store: audits as TOML files in a git repository (see docs/store.md)."""
