"""The acceptance suite: its feature files, steps (loaded by behave) and the hooks ' support (an installed package)."""
