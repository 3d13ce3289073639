"""PURE checks and normal forms of what people type: ID numbers, mobile numbers, passwords,
unified social credit codes. Each check returns the canonical value or raises ``InvalidInput``
naming the field, so pages and the API show a field error in the user's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import phonenumbers
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from citizencloud.kernel import clock
from citizencloud.kernel.crypto import normalize
from citizencloud.kernel.errors import DomainError

PASSWORD_MIN = 8
PASSWORD_MAX = 128


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    type: str


class InvalidInput(DomainError):
    """One or more fields are wrong; ``extra.errors`` lists them as ``{loc, msg, type}``."""

    code = "identity.invalid_input"
    status = 422

    def __init__(self, *problems: FieldError) -> None:
        self.problems = problems
        super().__init__(
            _("Some fields are missing or invalid."),
            extra={
                "errors": [
                    {"loc": ["body", p.field], "msg": p.message, "type": p.type} for p in problems
                ]
            },
        )


def id_number(value: str, *, field: str = "id_number") -> str:
    """The canonical 18-character resident ID number (GB 11643), or ``InvalidInput``."""
    number = normalize(value or "", "id_number")
    if len(number) != 18 or not number[:17].isdigit():
        raise InvalidInput(
            FieldError(
                field,
                _("An ID number has 18 characters: 17 digits and a digit or X."),
                "id_number.format",
            )
        )
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidInput(
            FieldError(
                field,
                _("This ID number's check digit is wrong; please check it."),
                "id_number.checksum",
            )
        )
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        born = None
    if born is None or born.year < 1890 or born > clock.now().date():
        raise InvalidInput(
            FieldError(
                field, _("The birth date in this ID number is impossible."), "id_number.birth_date"
            )
        )
    try:
        ric.get_birth_place(number)
    except stdnum_errors.ValidationError:
        raise InvalidInput(
            FieldError(
                field, _("The region code in this ID number does not exist."), "id_number.region"
            )
        ) from None
    return number


def birth_date(number: str) -> dt.date:
    return ric.get_birth_date(number)


def looks_like_phone(value: str) -> bool:
    text = normalize(value or "", "phone")
    return text.isdigit() and len(text) == 11 and text.startswith("1")


def phone(value: str, *, field: str = "phone") -> str:
    """The canonical mainland mobile number (11 digits, no +86), or ``InvalidInput``."""
    text = normalize(value or "", "phone")
    problem = FieldError(
        field, _("Enter a mainland China mobile number, e.g. 138 0000 0000."), "phone.format"
    )
    if not text or len(text) > 20:
        raise InvalidInput(problem)
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidInput(problem) from None
    if (
        parsed.country_code != 86
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise InvalidInput(problem)
    return str(parsed.national_number)


def real_name(value: str, *, field: str = "name") -> str:
    """A person's name as written on the ID card (2–50 characters, no digits)."""
    text = " ".join((value or "").split())
    if not 2 <= len(text) <= 50 or any(ch.isdigit() for ch in text):
        raise InvalidInput(
            FieldError(field, _("Enter your name as written on your ID card."), "name.format")
        )
    return text


def password(value: str, *, id_number: str = "", phone: str = "", field: str = "password") -> str:
    """NIST 800-63B: 8–128 characters, no composition rules, not common, not your ID or phone."""
    value = value or ""
    if len(value) < PASSWORD_MIN:
        message = _("Use at least %(count)d characters.") % {"count": PASSWORD_MIN}
        raise InvalidInput(FieldError(field, message, "password.too_short"))
    if len(value) > PASSWORD_MAX:
        message = _("Use at most %(count)d characters.") % {"count": PASSWORD_MAX}
        raise InvalidInput(FieldError(field, message, "password.too_long"))
    try:
        CommonPasswordValidator().validate(value)
    except ValidationError:
        raise InvalidInput(
            FieldError(field, _("This password is too common; choose another."), "password.common")
        ) from None
    compact = normalize(value, "id_number")
    for secret in (id_number, id_number[-8:] if id_number else "", phone):
        if secret and secret.upper() in compact:
            raise InvalidInput(
                FieldError(
                    field,
                    _("Your password must not contain your ID or phone number."),
                    "password.personal",
                )
            )
    return value


def credit_code(value: str, *, field: str = "uscc") -> str:
    """The canonical 18-character unified social credit code (GB 32100), or ``InvalidInput``."""
    try:
        return str(uscc.validate(normalize(value or "", "id_number")))
    except stdnum_errors.ValidationError:
        raise InvalidInput(
            FieldError(field, _("This is not a valid unified social credit code."), "uscc.invalid")
        ) from None
