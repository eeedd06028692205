"""The scenario's world: what a scenario will do (its plan and its steps' inputs), its typed state, the target it
runs against, and the calls steps and hooks make (actions for Given and When, verdicts for Then, evidence)."""
