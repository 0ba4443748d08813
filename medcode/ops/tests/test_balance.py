"""The workers' board (medcode.ops.balance): who takes the next connection.

A real server sharing its connections is in test_balance_server.py.
"""

from __future__ import annotations

import multiprocessing

import pytest

from medcode.ops import balance
from medcode.ops.balance import STALE_SECONDS, Board, open_board

SECOND = 1_000_000_000
NOW = 1000 * SECOND


def test_a_worker_takes_the_next_connection_unless_a_serving_one_holds_fewer():
    board = Board(4)
    mine = board.claim(set())
    theirs = board.claim({mine})
    assert mine == 0 and theirs == 1
    board.post(theirs, 3, NOW)
    assert board.my_turn(mine, 2, NOW)
    assert board.my_turn(mine, 3, NOW), "on a tie both may take it"
    assert not board.my_turn(mine, 4, NOW)
    assert board.my_turn(theirs, 3, NOW), "its own slot does not count"


def test_a_stopping_or_silent_worker_counts_for_nothing():
    board = Board(4)
    mine = board.claim(set())
    theirs = board.claim({mine})
    assert mine is not None and theirs is not None
    board.post(theirs, 0, 0)  # stopping (or forked and not serving yet)
    assert board.my_turn(mine, 10, NOW)
    assert board.my_turn(mine, 10, 1000), "an empty slot is not a worker, even at boot time"
    stale = NOW - int(STALE_SECONDS * SECOND) - 1
    board.post(theirs, 0, stale)
    assert board.my_turn(mine, 10, NOW)
    board.post(theirs, 0, stale + 2)
    assert not board.my_turn(mine, 10, NOW)


def test_a_slot_no_living_worker_holds_is_emptied_and_claimed_and_a_full_board_says_so():
    board = Board(2)
    assert board.claim({0, 1}) is None
    board.post(1, 5, NOW)
    assert board.claim({0}) == 1, "a slot whose worker is gone (even unreleased) is free"
    assert board.read(1) == (0, 0)
    board.post(1, 5, NOW)
    board.release(1)
    assert board.read(1) == (0, 0)


def test_the_board_is_big_enough_for_each_worker_and_its_replacement(monkeypatch):
    monkeypatch.setattr(balance, "BOARD", None)
    assert open_board(2).slots == 8
    assert open_board(6).slots == 14
    assert balance.BOARD is not None and balance.BOARD.slots == 14


def _post_from_a_child(board: Board, slot: int) -> None:
    board.post(slot, 7, NOW)


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the board is shared by fork"
)
def test_a_forked_worker_posts_where_its_master_reads():
    board = Board(2)
    slot = board.claim(set())
    assert slot is not None
    child = multiprocessing.get_context("fork").Process(
        target=_post_from_a_child, args=(board, slot)
    )
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert board.read(slot) == (7, NOW)
    assert not board.my_turn(1, 8, NOW)
