"""Population methods: PSRO, meta-solvers, empirical games, alpha-rank."""
