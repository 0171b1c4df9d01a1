"""The audit: the document, its stages and workflow, identities, diffs and merges.

The domain model every interface and the store share; it knows nothing of
git, files or terminals.
"""
