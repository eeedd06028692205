"""Stimulus: what the suite does to WebOrdinary, only the way production does it (emails)."""
