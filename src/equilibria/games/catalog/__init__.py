"""Named games. Each module registers factories with `equilibria.registry.register_game`."""
