"""Learning dynamics: `Learner` subclasses driven by `equilibria.run.run`, registered by name."""
