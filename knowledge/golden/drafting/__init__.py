"""Nightly drafts: cluster the questions golden answers missed, draft answers for the largest uncovered clusters."""
