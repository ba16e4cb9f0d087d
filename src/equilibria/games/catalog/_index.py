"""Which catalog module registers each game, and the rows `equilibria games` lists, so that
loading one game imports one module and listing them imports none.

Generated from the registrations: ``python -m equilibria.games.catalog._index`` rewrites this file,
and tests/test_startup.py fails while it is out of step (a name missing here is still found: the
registry then imports the whole catalog).
"""

from __future__ import annotations

from pathlib import Path

GAME_MODULES: dict[str, str] = {
    'allocation:budgeted_second_price': 'allocation',
    'allocation:network_revenue': 'allocation',
    'allocation:ros_second_price': 'allocation',
    'auction:all_pay': 'auctions',
    'auction:first_price': 'auctions',
    'auction:llg': 'auctions',
    'auction:second_price': 'auctions',
    'auction:third_price': 'auctions',
    'bandit:adversarial': 'bandits',
    'bandit:bernoulli': 'bandits',
    'bandit:gaussian': 'bandits',
    'bandit:knapsack': 'bandits',
    'bandit:linear': 'bandits',
    'battle_of_the_sexes': 'classic',
    'bilinear': 'continuous_games',
    'centipede': 'sequential',
    'chicken': 'classic',
    'colonel_blotto': 'blotto_auction',
    'crowd_avoidance': 'mean_field_games',
    'crowd_modelling': 'mean_field_games',
    'crowd_modelling_2d': 'mean_field_games',
    'dirac_gan': 'continuous_games',
    'dynamic_routing': 'mean_field_routing',
    'fair:lending': 'fair_lending',
    'first_price_auction': 'blotto_auction',
    'garnet': 'mean_field_games',
    'goofspiel': 'goofspiel',
    'grid_soccer': 'markov_games',
    'kuhn_poker': 'poker',
    'leduc_poker': 'poker',
    'levine_hats': 'levine_hats',
    'liars_dice': 'liars_dice',
    'linear_quadratic': 'mean_field_games',
    'market:ces': 'markets',
    'market:linear': 'markets',
    'matching_pennies': 'classic',
    'mfg:wealth_economy': 'mean_field_economy',
    'mfglib:beach_bar': 'mean_field_games',
    'mfglib:building_evacuation': 'mean_field_games',
    'mfglib:conservative_treasure_hunting': 'mean_field_games',
    'mfglib:left_right': 'mean_field_games',
    'mfglib:linear_quadratic': 'mean_field_games',
    'mfglib:random_linear': 'mean_field_games',
    'mfglib:rock_paper_scissors': 'mean_field_games',
    'mfglib:susceptible_infected': 'mean_field_games',
    'periodic_aversion': 'mean_field_games',
    'predator_prey': 'mean_field_games',
    'preference:cyclic': 'preference_games',
    'preference:mixed': 'preference_games',
    'preference:noisy': 'preference_games',
    'preference:transitive': 'preference_games',
    'prisoners_dilemma': 'classic',
    'pure_coordination': 'classic',
    'pursuit_evasion': 'markov_games',
    'quadratic': 'continuous_games',
    'random_covariant': 'random_games',
    'random_gaussian': 'random_games',
    'random_integer': 'random_games',
    'random_markov_game': 'markov_games',
    'random_uniform': 'random_games',
    'random_zero_sum': 'random_games',
    'rlvr:arith': 'rlvr',
    'rlvr:multi': 'rlvr',
    'rlvr:toy': 'rlvr',
    'rock_paper_scissors': 'classic',
    'shapley_game': 'classic',
    'stag_hunt': 'classic',
    'three_player_matching_pennies': 'classic',
    'trust_game': 'sequential',
    'trust_gridworld': 'markov_games',
    'weighted_rock_paper_scissors': 'classic',
}

#: (name, family, parameters with their defaults) per game, as `equilibria games` lists them
GAME_ROWS: tuple[tuple[str, str, str], ...] = (
    ('allocation:budgeted_second_price', 'allocation', "horizon=1000, budget_rate=0.1, input_model='iid', seed=0"),
    ('allocation:network_revenue', 'allocation', "horizon=1000, num_resources=3, num_products=6, capacity_rate=0.25, input_model='iid', seed=0"),
    ('allocation:ros_second_price', 'allocation', "horizon=1000, ros_target=1.0, budget_rate=None, input_model='iid', seed=0"),
    ('auction:all_pay', 'auction', "bidders=3, values='uniform', low=0.0, high=1.0, power=2.0, mean=None, std=None, samples=None, reserve=0.0, grid=129, bid_points=1001, value_points=500"),
    ('auction:first_price', 'auction', "bidders=3, values='uniform', low=0.0, high=1.0, power=2.0, mean=None, std=None, samples=None, reserve=0.0, grid=129, bid_points=1001, value_points=500"),
    ('auction:llg', 'auction', "rule='nearest-vcg', grid=65, bid_points=801, value_points=300"),
    ('auction:second_price', 'auction', "bidders=3, values='uniform', low=0.0, high=1.0, power=2.0, mean=None, std=None, samples=None, reserve=0.0, grid=129, bid_points=1001, value_points=500"),
    ('auction:third_price', 'auction', "bidders=3, values='uniform', low=0.0, high=1.0, power=2.0, mean=None, std=None, samples=None, reserve=0.0, grid=129, bid_points=1001, value_points=500"),
    ('bandit:adversarial', 'bandit', "table=None, pattern='switching', arms=3, horizon=1000, period=250, means=None, seed=0, adaptive=None"),
    ('bandit:bernoulli', 'bandit', 'means=(0.5, 0.6, 0.7)'),
    ('bandit:gaussian', 'bandit', 'means=(0.0, 0.5, 1.0), sigma=1.0'),
    ('bandit:knapsack', 'bandit', 'means=(0.8, 0.5, 0.3), costs=((0.9,), (0.4,), (0.1,)), budget=250.0, horizon=1000'),
    ('bandit:linear', 'bandit', 'features=None, theta=None, arms=10, dim=3, sigma=0.1, seed=0'),
    ('battle_of_the_sexes', 'normal_form', 'high=2, low=1'),
    ('bilinear', 'continuous', 'matrix=None, dim=1, seed=None, bound=None, start=1.0'),
    ('centipede', 'extensive_form', 'rounds=6, growth=2.0, small=1.0, large=4.0'),
    ('chicken', 'normal_form', 'win=1, tie=0, lose=-1, crash=-10'),
    ('colonel_blotto', 'normal_form', "soldiers=5, fields=3, soldiers_b=None, payoff='fields'"),
    ('crowd_avoidance', 'mean_field', "size=7, horizon=10, players=2, congestion_matrix='0 1 1 0', init_distrib=None, proba_noise=0.5, coef_congestion=0.0, forbidden_states=None, coef_target=1.0, geometry='square'"),
    ('crowd_modelling', 'mean_field', "size=10, horizon=10, move_cost='openspiel'"),
    ('crowd_modelling_2d', 'mean_field', "size=10, horizon=10, only_distribution_reward=False, forbidden_states='[]', initial_distribution='[]', initial_distribution_value='[]', positional_reward='[]', positional_reward_value='[]', with_congestion=False, noise_intensity=1.0, crowd_aversion_coef=1.0, move_cost='openspiel'"),
    ('dirac_gan', 'continuous', "loss='standard', gamma=0.0, bound=None, start=(1.0, 1.0)"),
    ('dynamic_routing', 'mean_field', "max_num_time_step=10, time_step_length=0.5, network='braess'"),
    ('fair:lending', 'fair_threshold', 'num_scores=10, group_gap=2.0, dp_tolerance=0.05, min_service=None, loss=1.0, feedback=0.5, mixing=0.05, batch=100'),
    ('first_price_auction', 'normal_form', 'values=((1, 2, 3), (1, 2, 3)), bids=None, prior=None, overbid=False'),
    ('garnet', 'mean_field', 'size=10, horizon=10, seed=0, num_action=3, num_chance_action=3, sparsity_factor=1.0, eta=1.0'),
    ('goofspiel', 'extensive_form', "num_cards=4, order='descending', returns_type='win_loss'"),
    ('grid_soccer', 'markov', 'rows=4, cols=5, discount=0.9'),
    ('kuhn_poker', 'extensive_form', 'players=2'),
    ('leduc_poker', 'extensive_form', 'players=2'),
    ('levine_hats', 'hats', 'players=2, hats=2'),
    ('liars_dice', 'extensive_form', 'faces=6, wild=True'),
    ('linear_quadratic', 'mean_field', 'size=10, horizon=10, dt=1.0, n_actions_per_side=3, volatility=1.0, mean_revert=0.0, cross_q=0.01, kappa=0.5, terminal_cost=1.0'),
    ('market:ces', 'market', "buyers=3, goods=3, rho=0.5, budgets='equal', seed=0"),
    ('market:linear', 'market', "buyers=3, goods=3, budgets='equal', seed=0"),
    ('matching_pennies', 'normal_form', '(no parameters)'),
    ('mfg:wealth_economy', 'mean_field', 'tax_rates=(0.0, 0.0), tax_slopes=(0.0, 0.0), num_levels=6, horizon=8, wage=1.0, interest=0.5, effort_cost=0.6, subsistence=0.1, shock=0.2, temperature=0.05'),
    ('mfglib:beach_bar', 'mean_field', 'T=2, n=4, bar_loc=2, log_eps=1e-20, p_still=0.5'),
    ('mfglib:building_evacuation', 'mean_field', 'T=3, n_floor=5, floor_l=10, floor_w=10, log_eps=1e-20, eta=1.0, evac_r=10.0'),
    ('mfglib:conservative_treasure_hunting', 'mean_field', 'T=5, n=3, r=(1.0, 1.0, 1.0), c=(1.0, 1.0, 1.0, 1.0, 1.0)'),
    ('mfglib:left_right', 'mean_field', 'mu0=(1.0, 0.0, 0.0)'),
    ('mfglib:linear_quadratic', 'mean_field', 'T=3, el=5, m=2, sigma=3.0, delta=0.1, k=1.0, q=0.01, kappa=0.5, c_term=1.0'),
    ('mfglib:random_linear', 'mean_field', 'T=3, n=5, m=10.0, seed=0'),
    ('mfglib:rock_paper_scissors', 'mean_field', 'T=1, mu0=(1.0, 0.0, 0.0, 0.0)'),
    ('mfglib:susceptible_infected', 'mean_field', 'T=50, mu0=(0.4, 0.6)'),
    ('periodic_aversion', 'mean_field', "size=21, horizon=20, dt=0.01, xmin=0.0, xmax=1.0, n_actions_per_side=10, volatility=1.0, coef_aversion=1.0, move_cost='openspiel'"),
    ('predator_prey', 'mean_field', "size=5, horizon=10, players=3, reward_matrix=None, init_distrib=None, noise_probability=0.8, congestion_coeff=1.0, geometry='square'"),
    ('preference:cyclic', 'preference', "k=3, contexts=1, beta=0.1, margin=0.4, jitter=0.5, ref='uniform', feature_dim=4, seed=0"),
    ('preference:mixed', 'preference', "k=5, contexts=1, beta=0.1, mix=0.5, scale=1.0, margin=0.4, ref='uniform', feature_dim=4, seed=0"),
    ('preference:noisy', 'preference', "k=5, contexts=1, beta=0.1, flip=0.1, base='transitive', comparisons=None, ref='uniform', feature_dim=4, seed=0"),
    ('preference:transitive', 'preference', "k=5, contexts=1, beta=0.1, scale=1.0, ref='uniform', feature_dim=4, seed=0"),
    ('prisoners_dilemma', 'normal_form', 'temptation=5, reward=3, punishment=1, sucker=0'),
    ('pure_coordination', 'normal_form', 'actions=3, payoff=1'),
    ('pursuit_evasion', 'markov', 'size=4, discount=0.9, slip=0.0, capture_radius=1'),
    ('quadratic', 'continuous', 'dims=(2, 2), mu=0.5, rotation=1.0, seed=0, bound=None'),
    ('random_covariant', 'normal_form', 'rho=0.0, rows=None, cols=None, actions=None, players=None, seed=0'),
    ('random_gaussian', 'normal_form', 'rows=None, cols=None, actions=None, players=None, seed=0, mean=0.0, std=1.0'),
    ('random_integer', 'normal_form', 'rows=None, cols=None, actions=None, players=None, seed=0, low=0, high=9'),
    ('random_markov_game', 'markov', 'num_states=5, num_actions=3, players=2, discount=0.9, zero_sum=False, seed=0'),
    ('random_uniform', 'normal_form', 'rows=None, cols=None, actions=None, players=None, seed=0, low=0.0, high=1.0'),
    ('random_zero_sum', 'normal_form', "rows=None, cols=None, actions=None, seed=0, distribution='uniform', low=-1, high=1"),
    ('rlvr:arith', 'rlvr', 'max_operand=3, noise=0.0, seed=0'),
    ('rlvr:multi', 'rlvr', 'prompts=16, vocab=3, max_length=3, num_correct=6, noise=1.0, seed=0'),
    ('rlvr:toy', 'rlvr', 'prompts=64, vocab=4, max_length=3, min_pass=0.001, max_pass=0.9, noise=1.0, seed=0'),
    ('rock_paper_scissors', 'normal_form', '(no parameters)'),
    ('shapley_game', 'normal_form', '(no parameters)'),
    ('stag_hunt', 'normal_form', 'stag_stag=4, stag_hare=0, hare_stag=3, hare_hare=3'),
    ('three_player_matching_pennies', 'normal_form', '(no parameters)'),
    ('trust_game', 'extensive_form', 'endowment=4, multiplier=3.0, step=1'),
    ('trust_gridworld', 'markov', 'length=3, stag=4.0, hare=1.0, exposure=2.0, step_cost=0.05, discount=0.95'),
    ('weighted_rock_paper_scissors', 'normal_form', 'weights=(1, 2, 3)'),
)

def _write() -> None:  # pragma: no cover - a maintenance command, checked by tests/test_startup.py
    from pathlib import Path

    Path(__file__).write_text(render())


def render() -> str:
    """This file's text for the games registered now (every catalog module imported)."""
    from equilibria.registry import GAMES

    entries = list(GAMES)
    modules = {e.name: e.factory.__module__.rsplit(".", 1)[1] for e in entries}
    text = Path(__file__).read_text()
    head = text[: text.index("GAME_MODULES: dict[str, str] = {")]
    tail = text[text.index("\n\ndef _write() -> None:"):]
    body = ["GAME_MODULES: dict[str, str] = {"]
    body += [f"    {k!r}: {v!r}," for k, v in sorted(modules.items())]
    body += ["}", "", "#: (name, family, parameters with their defaults) per game, as `equilibria games` lists them",
             "GAME_ROWS: tuple[tuple[str, str, str], ...] = ("]
    body += [f"    {row!r}," for row in listing_rows(entries)]
    body += [")"]
    return head + "\n".join(body) + tail


def listing_rows(entries: list) -> list[tuple[str, str, str]]:
    """The rows of `equilibria games`: name, family and the parameters with their defaults."""
    rows = []
    for entry in entries:
        params = ", ".join(p.name if p.required else f"{p.name}={p.default!r}" for p in entry.parameters())
        rows.append((entry.name, entry.family, params or "(no parameters)"))
    return rows


if __name__ == "__main__":  # pragma: no cover
    _write()
