"""PURE text handling for search: query parsing, synonyms, pinyin keys. No ORM, no I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# Everything that is not a letter, digit or CJK character separates terms. This removes every
# character with a meaning in FTS5 or SQL LIKE syntax (quotes, *, ^, :, parentheses, %, _).
_SEPARATORS = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ASCII_WORD = re.compile(r"^[0-9a-z]+$")


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    """One query word and the words that mean the same (synonym rewrites)."""

    text: str
    alternatives: tuple[str, ...]

    @property
    def is_latin(self) -> bool:
        """Pinyin, initials or English: matched against the pinyin and English columns."""
        return bool(_ASCII_WORD.match(self.text))


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no surrounding space."""
    return unicodedata.normalize("NFKC", text).lower().strip()


def parse(query: str, synonyms: Sequence[Sequence[str]] = ()) -> list[Term]:
    """Split a query into at most ``MAX_TERMS`` terms, each with its synonym rewrites."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(query[:20])
    words = [word for word in _SEPARATORS.split(normalize(query)) if word]
    seen: list[str] = []
    for word in words:
        if word not in seen:
            seen.append(word)
    return [Term(word, expand(word, synonyms)) for word in seen[:MAX_TERMS]]


def expand(word: str, synonyms: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """``word`` and every rewrite of it where a synonym replaces a word of its group."""
    out = [word]
    for group in synonyms:
        for member in group:
            if member and member in word:
                for other in group:
                    if member in other and other in word:
                        continue  # 住房公积金 must not become 住房住房公积金
                    rewritten = word.replace(member, other)
                    if rewritten not in out:
                        out.append(rewritten)
    return tuple(out)


def pinyin_full(text: str) -> str:
    """Toneless pinyin without spaces: 公积金 → gongjijin."""
    return _SEPARATORS.sub("", "".join(lazy_pinyin(normalize(text))))


def pinyin_initials(text: str) -> str:
    """First letters of each syllable: 公积金 → gjj."""
    return _SEPARATORS.sub("", "".join(lazy_pinyin(normalize(text), style=Style.FIRST_LETTER)))


def pinyin_keys(phrases: Iterable[str]) -> tuple[str, str]:
    """The pinyin and initials columns for a service's name and keywords, "|"-separated."""
    items = [phrase for phrase in phrases if phrase]
    return (
        "|" + "|".join(pinyin_full(p) for p in items) + "|",
        "|" + "|".join(pinyin_initials(p) for p in items) + "|",
    )


def bigrams(word: str) -> list[str]:
    """Two-character pieces of a long Chinese word, for a looser second search."""
    return [word[i : i + 2] for i in range(0, len(word) - 1, 2)] + (
        [word[-2:]] if len(word) % 2 else []
    )


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def bigram_tokens(phrases: Iterable[str]) -> str:
    """Overlapping two-character pieces of every Chinese run and of its initials, as tokens:
    公积金 → 公积 积金 gj jj (so 医保 and yb use an index too)."""
    tokens: list[str] = []
    for phrase in phrases:
        for run in _CJK_RUN.findall(normalize(phrase)):
            initials = pinyin_initials(run)
            for piece in (run, initials):
                tokens.extend(piece[i : i + 2] for i in range(len(piece) - 1))
    return " ".join(dict.fromkeys(tokens))
