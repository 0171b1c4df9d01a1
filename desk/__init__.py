"""The desk: the operations an auditor or reviewer performs on a store, used alike
by the command line and the terminal app (approve, status, stage moves)."""
