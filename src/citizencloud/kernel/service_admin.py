"""Django admin pages whose rows are created by a domain service (validated, audited, with the
side effects the service owns), never by a model form's ``save()``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest


class AddThroughService:
    """Mix into a ``ModelAdmin``: the add page uses ``add_form`` (the fields the service takes);
    the change page keeps the admin's own form. ``save_model`` calls the service on add and then
    :func:`adopt` so the admin redirects to (and logs) the row the service made."""

    add_form: type[forms.ModelForm[Any]]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]


def adopt(obj: models.Model, created: models.Model) -> None:
    """Make the admin's unsaved ``obj`` stand for ``created``, the row a service saved."""
    obj.pk = created.pk
    obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
    obj._state.adding = False
