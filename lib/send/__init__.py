"""Stimulus: what the suite does to WebOrdinary, only the way production does it: emails, and on the embedded AWS
what an operator does to the edit service (operations.py)."""
