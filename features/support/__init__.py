"""What features/environment.py does, one module per job: the run's target, the behavex coordinator, each
scenario's fresh clients and refusals, and the verdicts (known faults, loose ends, evidence)."""
