"""The zh-Hans catalog is complete and compiled: every page is Chinese by default."""

from __future__ import annotations

from pathlib import Path

import polib
from django.utils import translation

import citizencloud

CATALOG = Path(citizencloud.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    po = polib.pofile(str(CATALOG / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 40


def test_the_compiled_catalog_matches_the_source() -> None:
    po = polib.pofile(str(CATALOG / "django.po"))
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(CATALOG / "django.mo"))}
    stale = [e.msgid for e in po.translated_entries() if mo.get((e.msgctxt, e.msgid)) != e.msgstr]
    assert stale == [], "run `make messages` to recompile django.mo"


def test_translations_are_active_for_zh_hans() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Report a problem") == "问题反馈"
    with translation.override("en"):
        assert translation.gettext("Report a problem") == "Report a problem"
