"""Claims: one holder per key across processes, leases that lapse, releases and finished work."""

from __future__ import annotations

import multiprocessing

import pytest

from service.stores.claims import KEEP_SECONDS, Claims

pytestmark = pytest.mark.unit
KEY = "TNEWS:CROOM:1800000001.000100"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def claims(tmp_path, clock) -> Claims:
    return Claims(tmp_path / "db.sqlite3", lease_seconds=30, clock=clock)


def test_a_held_claim_is_not_given_twice(claims):
    first = claims.claim(KEY)
    assert first is not None and first.key == KEY
    assert claims.claim(KEY) is None
    assert claims.claim("TNEWS:CROOM:other") is not None


def test_a_finished_claim_is_never_given_again(claims, clock):
    claims.finish(claims.claim(KEY))
    assert claims.claim(KEY) is None
    clock.now += 3600
    assert claims.claim(KEY) is None


def test_a_released_claim_is_given_to_the_next_delivery_at_once(claims):
    first = claims.claim(KEY)
    claims.release(first)
    second = claims.claim(KEY)
    assert second is not None and second.token != first.token
    assert claims.claim(KEY) is None


def test_a_lease_lapses_unless_renewed(claims, clock):
    held = claims.claim(KEY)
    clock.now += 20
    assert claims.renew(held)
    clock.now += 20  # 40 s after the claim, 20 s after the renewal
    assert claims.claim(KEY) is None
    clock.now += 11
    taken = claims.claim(KEY)
    assert taken is not None
    # The holder that lost it can neither renew nor release the new holder's claim.
    assert not claims.renew(held)
    claims.release(held)
    assert claims.claim(KEY) is None
    claims.finish(taken)
    assert claims.claim(KEY) is None


def test_claims_are_shared_through_the_file(tmp_path, clock):
    path = tmp_path / "db.sqlite3"
    assert Claims(path, clock=clock).claim(KEY) is not None
    assert Claims(path, clock=clock).claim(KEY) is None


def test_old_claims_are_forgotten(claims, clock):
    claims.finish(claims.claim(KEY))
    clock.now += KEEP_SECONDS + 1
    assert claims.claim("TNEWS:CROOM:later") is not None
    assert claims.claim(KEY) is not None


def _race(path: str, start, results) -> None:
    store = Claims(path)
    start.wait()
    results.put(store.claim(KEY) is not None)


def test_of_many_processes_claiming_at_once_exactly_one_wins(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    Claims(path)
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    racers = [context.Process(target=_race, args=(path, start, results)) for _ in range(8)]
    for racer in racers:
        racer.start()
    start.set()
    won = [results.get(timeout=60) for _ in racers]
    for racer in racers:
        racer.join(timeout=30)
    assert sorted(won) == [False] * 7 + [True]
