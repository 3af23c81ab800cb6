"""What a search query says, and how a text is matched and shown, in Python.

The same on every database: the query's syntax (that of PostgreSQL's `websearch_to_tsquery`: words,
"quoted phrases", `OR`, `-word`), the folding that makes matching case- and accent-insensitive, and the
excerpt with the matching words marked. The excerpt is built from escaped pieces of plain text: nothing
in a record's text can become markup.
"""

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..markdown import render_markdown

# Longer queries are refused by the forms (200 characters); past this many terms the rest is ignored.
MAX_TERMS = 10

# Letters that Unicode does not decompose but PostgreSQL's `unaccent` rules spell out: folded the same
# way here, so that SQLite and PostgreSQL agree on what "the same word" is.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "þ": "th"})


def fold(text: str | None) -> str | None:
    """The text lower-cased and without accents: "MIGRACIÓN" and "migracion" fold alike."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LIGATURES)


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return _WORD.findall(fold(text or ""))


@dataclass(frozen=True)
class Clause:
    """One part of a query: any of its alternatives (each a word or a phrase, as folded words) must be
    found, or, when `negated`, none of them."""

    alternatives: tuple[tuple[str, ...], ...]
    negated: bool = False


@dataclass(frozen=True)
class Query:
    text: str
    clauses: tuple[Clause, ...] = field(default=())

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if not clause.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if clause.negated)

    @property
    def terms(self) -> frozenset[str]:
        """Every folded word the query looks for (not those it excludes): what an excerpt marks."""
        return frozenset(word for clause in self.positive for phrase in clause.alternatives for word in phrase)

    def __bool__(self):
        return bool(self.positive)


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(text: str) -> Query:
    """The query in `websearch_to_tsquery`'s syntax: words must all be found, a "quoted phrase" as
    written, `a OR b` either, and `-word` (or `-"a phrase"`) excludes. Punctuation separates words, as
    PostgreSQL's parser does; a query with nothing to look for is empty (false)."""
    text = (text or "").strip()
    clauses: list[Clause] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated, quoted, bare = match.group(1) == "-", match.group(2), match.group(3)
        if quoted is None:
            if bare == "OR":
                pending_or = bool(clauses) and not clauses[-1].negated
                continue
            negated = bare.startswith("-")
            quoted = bare.lstrip("-")
        phrase = tuple(words(quoted))
        if not phrase:
            continue
        if pending_or and not negated:
            previous = clauses.pop()
            clauses.append(Clause(previous.alternatives + (phrase,)))
        else:
            clauses.append(Clause((phrase,), negated=negated))
        pending_or = False
        if len(clauses) >= MAX_TERMS:
            break
    return Query(text=text, clauses=tuple(clauses))


# The stemmers PostgreSQL's configurations use (Snowball's), so that an excerpt marks the words the
# database matched: "programmes" for "programme", "migraciones" for "migración".
STEMMER_NAMES = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese"}


@lru_cache(maxsize=8)
def _stemmer(language):
    return snowballstemmer.stemmer(STEMMER_NAMES[language])


@lru_cache(maxsize=4096)
def _stem(word: str, language: str) -> str:
    return _stemmer(language).stemWord(word)


class Marker:
    """Decides which words of a text to mark for a query: a word that contains a term (as the
    accent-insensitive matching finds it) or that has the same stem as a term in one of the languages
    searched (as PostgreSQL's full-text search finds it)."""

    def __init__(self, query: Query, languages: tuple[str, ...]):
        self.terms = query.terms
        self.languages = tuple(language for language in languages if language in STEMMER_NAMES)
        self.stems = {(_stem(term, language), language) for term in self.terms for language in self.languages}

    def matches(self, word: str) -> bool:
        folded = fold(word)
        if any(term in folded for term in self.terms):
            return True
        return any((_stem(folded, language), language) in self.stems for language in self.languages)


def plain_text(markdown: str) -> str:
    """A Markdown description as the plain text a reader sees: no markup, no link addresses."""
    rendered = str(render_markdown(markdown))
    # Block ends become spaces, so that the words of two paragraphs do not run together.
    rendered = re.sub(r"</li>\s*(?=<li)", "; ", rendered)
    rendered = re.sub(r"</(p|li|h3|h4|blockquote|pre)>|<br\s*/?>", " ", rendered)
    return " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())


_SPLIT = re.compile(r"(\w+)")


def highlight(text: str, marker: Marker) -> SafeString:
    """The text, escaped, with each matching word in `<mark>`."""
    pieces = _SPLIT.split(text or "")
    out = []
    for index, piece in enumerate(pieces):
        if index % 2 and marker.matches(piece):
            out.append(f"<mark>{escape(piece)}</mark>")
        else:
            out.append(escape(piece))
    # Every piece of the text was escaped above; only the <mark> elements are markup.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703


EXCERPT_WORDS = 40


def excerpt(text: str, marker: Marker, length: int = EXCERPT_WORDS) -> SafeString:
    """About `length` words of the text around its first matching word, marked; "…" where cut."""
    pieces = (text or "").split()
    if not pieces:
        return mark_safe("")  # noqa: S308  # nosec B308 B703
    first = next((i for i, piece in enumerate(pieces) if any(marker.matches(w) for w in _WORD.findall(piece))), 0)
    start = max(0, min(first - length // 4, len(pieces) - length))
    end = min(len(pieces), start + length)
    body = highlight(" ".join(pieces[start:end]), marker)
    before = "… " if start > 0 else ""
    after = " …" if end < len(pieces) else ""
    return mark_safe(f"{before}{body}{after}")  # noqa: S308  # nosec B308 B703
