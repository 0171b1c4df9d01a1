"""Hypothesis profiles: the same examples on every run by default, a long random run on request.

    pytest                                  # profile "ci": derandomised, as CI runs it
    HYPOTHESIS_PROFILE=thorough pytest      # random, ten times the examples, failures kept

"ci" derandomises: every property test draws the same examples on every
machine and every run, so a test can no longer fail at random in CI (it
did: issue 12, item 8).  "thorough" is the search for new failures: random
seeds, ten times the examples (each test's count goes through
:func:`scaled`), and Hypothesis's example database so a failure it finds
is replayed first next time.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: The environment variable choosing the profile (Hypothesis's own name for it).
VARIABLE = "HYPOTHESIS_PROFILE"
#: How many times more examples "thorough" tries.
THOROUGH_FACTOR = 10
PROFILES = ("ci", "thorough")


def profile() -> str:
    chosen = os.environ.get(VARIABLE, "ci")
    if chosen not in PROFILES:
        raise SystemExit(f"{VARIABLE}={chosen!r}: choose one of {', '.join(PROFILES)}")
    return chosen


def scaled(examples: int) -> int:
    """A test's example count under the chosen profile (``settings(max_examples=scaled(80))``)."""
    return examples * THOROUGH_FACTOR if profile() == "thorough" else examples


def register() -> str:
    """Register both profiles and load the chosen one; return its name."""
    settings.register_profile(
        "ci", derandomize=True, database=None, deadline=None, print_blob=True,
    )
    settings.register_profile(
        "thorough", derandomize=False, deadline=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    chosen = profile()
    settings.load_profile(chosen)
    return chosen
