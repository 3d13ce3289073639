"""Personal data never reaches the logs in clear text."""

from __future__ import annotations

import logging

from hypothesis import given
from hypothesis import strategies as st

from citizencloud.kernel.logging import get_logger, mask_text, redact_value
from tests.fixtures import LogCapture

ID_NUMBER = "11010519491231002X"
MOBILE = "13812345678"


def test_an_id_number_in_a_message_is_masked(logs: LogCapture) -> None:
    get_logger("test").warning(f"citizen {ID_NUMBER} called from +86 {MOBILE}")
    output = logs.text
    assert ID_NUMBER not in output
    assert MOBILE not in output
    assert "1101**********002X" in output
    assert "138****5678" in output


def test_sensitive_keys_are_masked_whatever_their_value(logs: LogCapture) -> None:
    get_logger("test").warning(
        "registration",
        password="hunter2-but-longer",
        id_number="not-even-a-number",
        phone="call me",
        nested={"token": "abc", "note": f"ID {ID_NUMBER}"},
    )
    (line,) = logs.lines()
    assert line["password"] == "***"
    assert line["id_number"] == "***"
    assert line["phone"] == "***"
    assert line["nested"] == {"token": "***", "note": "ID 1101**********002X"}


def test_stdlib_logging_and_tracebacks_are_masked_too(logs: LogCapture) -> None:
    logger = logging.getLogger("django.request")
    try:
        raise ValueError(f"lookup failed for {ID_NUMBER}")
    except ValueError:
        logger.exception("failure for %s", MOBILE)
    output = logs.text
    assert ID_NUMBER not in output
    assert MOBILE not in output
    assert "lookup failed for 1101**********002X" in output


def test_ordinary_numbers_are_left_alone() -> None:
    assert mask_text("order 12345 costs 1800 fen") == "order 12345 costs 1800 fen"
    assert redact_value({"code": "applications.closed"}) == {"code": "applications.closed"}


@given(
    st.from_regex(r"[1-9][0-9]{16}[0-9X]", fullmatch=True),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.text(alphabet=" ,;:()/-=abcXx", min_size=1, max_size=5),
)
def test_no_identifier_survives_masking(id_number: str, mobile: str, separator: str) -> None:
    text = f"a{separator}{id_number}{separator}{mobile}{separator}+86{mobile} 0086-{mobile}"
    masked = mask_text(text)
    assert id_number not in masked
    assert mobile not in masked
