"""Property tests of the ID-number validator and the identifier normalizer."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from citizencloud.identity import validation
from citizencloud.identity.services.signin import canonical_login
from citizencloud.identity.validation import InvalidInput
from citizencloud.kernel.crypto import blind_index, normalize

REGIONS = ["510104", "510105", "510107", "510114", "510122", "110101", "440305"]
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(REGIONS))
    born = draw(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2015, 12, 31)))
    order = draw(st.integers(min_value=0, max_value=999))
    body = f"{region}{born:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


valid_id_numbers = id_numbers().filter(ric.is_valid)  # a region code must exist in its year


def spellings(number: str) -> st.SearchStrategy[str]:
    """Ways people type the same number: spaces, dashes, full-width digits, lower-case x."""
    return st.sampled_from(
        [
            number,
            number.lower(),
            f" {number[:6]} {number[6:14]} {number[14:]} ",
            f"{number[:6]}-{number[6:14]}-{number[14:]}",
            "".join(FULL_WIDTH.get(c, c) for c in number),
            number[:9] + "\u3000" + number[9:],
        ]
    )


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_valid_number_in_any_spelling_validates_to_one_canonical_form(
    data: st.DataObject,
) -> None:
    number = data.draw(valid_id_numbers)
    typed = data.draw(spellings(number))
    assert validation.id_number(typed) == number.upper()
    assert normalize(typed, "id_number") == number.upper()
    assert blind_index(typed) == blind_index(number)
    assert canonical_login(typed) == canonical_login(number)


@settings(max_examples=300, deadline=None)
@given(valid_id_numbers, st.integers(min_value=0, max_value=16), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_refused(number: str, position: int, char: str) -> None:
    changed = number[:position] + char + number[position + 1 :]
    if changed == number or ric.is_valid(changed):
        return  # the change happened to give another valid number
    with pytest.raises(InvalidInput):
        validation.id_number(changed)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_is_either_valid_or_a_field_error(text: str) -> None:
    if ric.is_valid(text.strip()):
        assert ric.is_valid(validation.id_number(text))
        return
    with pytest.raises(InvalidInput) as error:
        validation.id_number(text)
    assert error.value.problems[0].field == "id_number"
    assert error.value.problems[0].type.startswith("id_number.")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789xX +-\u3000\u00a0" + "".join(FULL_WIDTH.values()), max_size=30))
def test_normalize_is_idempotent(text: str) -> None:
    for kind in ("id_number", "phone"):
        once = normalize(text, kind)
        assert normalize(once, kind) == once


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from(["138", "139", "186"]))
def test_phone_spellings_share_one_canonical_form(suffix: int, prefix: str) -> None:
    number = f"{prefix}{suffix:08d}"
    for typed in (
        number,
        f"+86 {number}",
        f"0086{number}",
        f"{number[:3]}-{number[3:7]}-{number[7:]}",
    ):
        assert validation.phone(typed) == number
        assert canonical_login(typed) == "phone:" + number


def test_future_birth_dates_are_impossible() -> None:
    body = f"510104{dt.date.today().year + 1}0101001"
    with pytest.raises(InvalidInput) as error:
        validation.id_number(body + ric.calc_check_digit(body + "0"))
    assert error.value.problems[0].type == "id_number.birth_date"
