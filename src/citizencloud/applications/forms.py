"""Form definitions as JSON Schema 2020-12 with ``x-ui`` hints: fields for the page, coercion of
posted strings, and validation with ``jsonschema`` whose errors speak the user's language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

from citizencloud.kernel.errors import DomainError

__all__ = ["Field", "InvalidForm", "coerce", "fields", "label", "validate"]


class InvalidForm(DomainError):
    code = "applications.invalid_form"
    status = 422


def label(text: Mapping[str, str] | str | None) -> str:
    """The zh or en text of a bilingual label, in the active language."""
    if not text:
        return ""
    if isinstance(text, str):
        return text
    english = (get_language() or "zh-hans").startswith("en")
    return text.get("en" if english else "zh") or text.get("zh") or text.get("en") or ""


@dataclass
class Field:
    name: str
    kind: str
    label: str
    help: str = ""
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    prefill: str = ""
    section: str = ""
    condition: str = ""
    max_length: int | None = None


def _kind(prop: Mapping[str, Any]) -> str:
    ui = prop.get("x-ui", {})
    if "kind" in ui:
        return str(ui["kind"])
    if "enum" in prop:
        return "select"
    return {"integer": "number", "number": "number", "boolean": "checkbox"}.get(
        str(prop.get("type")), "date" if prop.get("format") == "date" else "text"
    )


def fields(schema: Mapping[str, Any]) -> list[Field]:
    """The fields of a form, in definition order, ready for the template."""
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        ui = prop.get("x-ui", {})
        names = ui.get("choices", {})
        choices = [(str(v), label(names.get(str(v))) or str(v)) for v in prop.get("enum", [])]
        out.append(
            Field(
                name=name,
                kind=_kind(prop),
                label=label(ui.get("label")) or name,
                help=label(ui.get("help")),
                required=name in required,
                choices=choices,
                prefill=str(ui.get("prefill", "")),
                section=label(ui.get("section")),
                condition=label(ui.get("condition")),
                max_length=prop.get("maxLength"),
            )
        )
    return out


def coerce(schema: Mapping[str, Any], posted: Mapping[str, Any]) -> dict[str, Any]:
    """Posted strings → the types the schema expects; empty answers are left out."""
    data: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        value = posted.get(name)
        kind = prop.get("type")
        if kind == "boolean":
            data[name] = value in (True, "on", "true", "1", "yes")
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if kind in ("integer", "number") and isinstance(value, str):
            try:
                data[name] = int(value) if kind == "integer" else float(value)
            except ValueError:
                data[name] = value  # the validator reports the wrong type
            continue
        data[name] = value.strip() if isinstance(value, str) else value
    return data


_REQUIRED = re.compile(r"^'(?P<name>[^']+)' is a required property")


def _message(error: Any, prop: Mapping[str, Any]) -> str:
    kind = error.validator
    if kind == "required":
        return _("This field is required.")
    if kind == "type":
        return _("Enter a valid value.")
    if kind == "minLength":
        return _("Enter at least %(n)s characters.") % {"n": error.validator_value}
    if kind == "maxLength":
        return _("Enter at most %(n)s characters.") % {"n": error.validator_value}
    if kind == "minimum":
        return _("Enter a value of at least %(n)s.") % {"n": error.validator_value}
    if kind == "maximum":
        return _("Enter a value of at most %(n)s.") % {"n": error.validator_value}
    if kind == "enum":
        return _("Choose one of the options.")
    if kind == "format":
        return (
            _("Enter a valid date.") if prop.get("format") == "date" else _("Enter a valid value.")
        )
    if kind == "pattern":
        return label(prop.get("x-ui", {}).get("pattern_message")) or _("Enter a valid value.")
    return _("Enter a valid value.")


def validate(schema: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """Raise ``InvalidForm`` with ``extra["errors"] = {field: message}`` unless ``data`` fits."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors: dict[str, str] = {}
    for error in validator.iter_errors(dict(data)):
        if error.validator == "required":
            match = _REQUIRED.match(error.message)
            name = match.group("name") if match else ""
        elif error.validator == "additionalProperties":
            name = "__all__"
        else:
            name = str(error.absolute_path[0]) if error.absolute_path else "__all__"
        prop = schema.get("properties", {}).get(name, {})
        errors.setdefault(name, _message(error, prop))
    if errors:
        raise InvalidForm(_("Please correct the marked fields."), extra={"errors": errors})
