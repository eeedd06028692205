"""What is expected of WebOrdinary: the contract's names, phrases and rules, the instructions a target understands,
the real system's known faults, and the reference model that predicts a run's whole history from what was sent."""
