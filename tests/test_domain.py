"""Validation and the rate rule (SPEC §2–§4), with exact fractions written by hand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain import (
    STATUSES,
    Item,
    Rules,
    check_plan_id,
    check_ref,
    next_ref,
    parse_address,
    parse_date,
    parse_weight,
    ref_sort_key,
    tally,
)
from tracker.errors import InvalidValue

TODAY = date(2026, 1, 15)


@pytest.mark.parametrize("good", ["csto-2023", "eu.ap", "a", "0_x", "a" * 64])
def test_valid_plan_ids(good: str) -> None:
    assert check_plan_id(good) == good


@pytest.mark.parametrize("bad", ["", "Csto", "-x", ".x", "a b", "a:b", "a" * 65, "é"])
def test_invalid_plan_ids(bad: str) -> None:
    with pytest.raises(InvalidValue):
        check_plan_id(bad)


@pytest.mark.parametrize("bad", ["", "-1", "a b", "x:y", "_a"])
def test_invalid_refs(bad: str) -> None:
    with pytest.raises(InvalidValue):
        check_ref(bad)


def test_addresses() -> None:
    assert parse_address("eu-ap:3.2") == ("eu-ap", "3.2")
    for bad in ["p", "p:", ":1", "P:1", "p:1:2"]:
        with pytest.raises(InvalidValue):
            parse_address(bad)


def test_dates() -> None:
    assert parse_date("2024-02-29", TODAY) == "2024-02-29"
    assert parse_date("today", TODAY) == "2026-01-15"
    assert parse_date("21.11.2023", TODAY) == "2023-11-21"  # as Russian users write it
    for bad in ["2023-02-31", "2023-2-1", "31.11.2023", "tomorrow", ""]:
        with pytest.raises(InvalidValue):
            parse_date(bad, TODAY)


def test_weights() -> None:
    assert parse_weight("2") == 2 and isinstance(parse_weight("2"), int)
    assert parse_weight("0.5") == 0.5
    for bad in ["0", "-1", "abc", "nan", "inf"]:
        with pytest.raises(InvalidValue):
            parse_weight(bad)


def test_next_ref_follows_the_largest_integer() -> None:
    assert next_ref([]) == "1"
    assert next_ref(["1", "7", "a", "3.2"]) == "8"


def test_refs_sort_as_people_number_them() -> None:
    refs = ["10", "2", "3.10", "3.2", "a", "1"]
    assert sorted(refs, key=ref_sort_key) == ["1", "2", "3.2", "3.10", "10", "a"]


def item(status: str, weight: float = 1) -> Item:
    return Item("p", "1", "t", status=status, weight=weight)


def test_reference_case_is_32_of_34() -> None:
    items = [item("fulfilled")] * 32 + [item("not-fulfilled")] * 2
    t = tally(items, Rules())
    assert (t.total, t.counted, t.fulfilled, t.counted_weight, t.credit) == (34, 34, 32, 34, 32)
    assert t.rate == 32 / 34
    assert f"{t.rate * 100:.1f}%" == "94.1%"


MIXED = [
    item("fulfilled", 2),      # credit 2
    item("partial", 4),        # credit 4 × partial credit
    item("withdrawn", 3),      # counted unless excluded, credit 0
    item("not-fulfilled", 1),  # credit 0
    item("in-progress", 0.5),  # credit 0
]


def test_weights_partial_and_withdrawn_default_rule() -> None:
    t = tally(MIXED, Rules())
    assert (t.total, t.counted, t.fulfilled) == (5, 5, 1)
    assert t.counted_weight == 10.5
    assert t.credit == 2
    assert t.rate == 2 / 10.5


def test_partial_credit_half() -> None:
    t = tally(MIXED, Rules(partial_credit=0.5))
    assert t.credit == 4  # 2 + 4 × 0.5
    assert t.rate == 4 / 10.5


def test_exclude_withdrawn() -> None:
    t = tally(MIXED, Rules(exclude_withdrawn=True, partial_credit=1))
    assert (t.total, t.counted) == (5, 4)
    assert t.counted_weight == 7.5
    assert t.credit == 6
    assert t.rate == 6 / 7.5


def test_nothing_counted_is_no_rate() -> None:
    assert tally([], Rules()).rate is None
    only_withdrawn = tally([item("withdrawn")], Rules(exclude_withdrawn=True))
    assert (only_withdrawn.counted, only_withdrawn.rate) == (0, None)


@given(
    st.lists(st.tuples(st.sampled_from(STATUSES),
                       st.floats(min_value=0.001, max_value=1e6, allow_nan=False))),
    st.booleans(),
    st.floats(min_value=0, max_value=1),
)
def test_rate_is_a_fraction_or_none_exactly_when_nothing_counts(
    pairs: list[tuple[str, float]], exclude: bool, partial: float
) -> None:
    items = [item(status, weight) for status, weight in pairs]
    t = tally(items, Rules(exclude_withdrawn=exclude, partial_credit=partial))
    if t.counted == 0:
        assert t.rate is None
    else:
        assert t.rate is not None
        assert 0 <= t.rate <= 1


def test_weights_are_capped_so_sums_stay_finite() -> None:
    assert parse_weight("1000000") == 1_000_000
    for bad in ["1000001", "99999999.5"]:
        with pytest.raises(InvalidValue, match="at most 1,000,000"):
            parse_weight(bad)
    for bad in ["1e308", "1e20", "1_000", "1e-320", " 2 x", "0x10", "nan", "inf", "-0"]:
        with pytest.raises(InvalidValue, match="such as 2 or 0.5|greater than 0"):
            parse_weight(bad)
    with pytest.raises(InvalidValue, match="at least 0.001"):
        parse_weight("0.0001")


def test_owner_names_hold_no_separator() -> None:
    from tracker.domain import check_owner

    assert check_owner("  Ministry A ") == "Ministry A"
    for bad in ["A;B", "", "   "]:
        with pytest.raises(InvalidValue):
            check_owner(bad)


def test_the_next_ref_never_grows_past_the_limit() -> None:
    with pytest.raises(InvalidValue, match="give this item a --ref"):
        next_ref(["9" * 64])
