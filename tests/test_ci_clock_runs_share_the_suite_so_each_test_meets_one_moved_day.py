"""CI's three moved-clock runs (stage 1b) share the suite out (tests/clock.py, ``share_of``): every test runs
in exactly one of them, the shares are about the same size, and the seed decides which day a test meets."""

import random

from . import clock


def _units(seed: int) -> list[str]:
    rng = random.Random(seed)
    units = [f"tests/test_{n}.py::test_{i}" for n in range(150) for i in range(rng.randint(1, 6))]
    units += ["tests/test_walk.py"] * 40 + ["tests/test_seeded.py"] * 12  # files dealt whole
    return units


def test_every_test_is_in_exactly_one_share_and_the_shares_weigh_about_the_same():
    units = _units(1)
    shares = [clock.share_of(units, index=k, count=3, seed=7) for k in range(3)]
    assert set().union(*shares) == set(units)
    assert sum(len(s) for s in shares) == len(set(units))
    weights = [sum(1 for u in units if u in share) for share in shares]
    assert max(weights) - min(weights) <= 6, weights  # heaviest first to the lightest share


def test_the_seed_moves_tests_between_shares_and_the_same_seed_deals_the_same_shares():
    units = _units(2)
    first = [clock.share_of(units, index=k, count=3, seed=1) for k in range(3)]
    assert first == [clock.share_of(units, index=k, count=3, seed=1) for k in range(3)]
    later = [clock.share_of(units, index=k, count=3, seed=2) for k in range(3)]
    moved = sum(1 for u in set(units) if [u in s for s in first] != [u in s for s in later])
    assert moved > len(set(units)) // 3


def test_the_share_is_read_from_the_environment(monkeypatch):
    monkeypatch.delenv(clock.SHARD_ENV, raising=False)
    assert clock.shard() is None
    monkeypatch.setenv(clock.SHARD_ENV, "2/3:52948")
    assert clock.shard() == (2, 3, 52948)
