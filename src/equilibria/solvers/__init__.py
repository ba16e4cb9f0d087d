"""Exact equilibrium solvers: functions ``game -> list[Solution]``, registered by name."""
