"""The case bank: real, sourced, double-labelled messages (corpus/cases/cases.jsonl).

Every case is text a public page quotes as received or asked, kept verbatim, with its
source page, a family (corpus/cases/families.json), threats, a verdict, the second reader's
verdict where the two differ, 1–3 statutes and a one-line legal reason. The bank is what
the learned verdict is fitted on (yuqi/analysis/learned.py) and what the answer shows as
"similar real cases"; `page` groups cases for cross-validation, so no page is ever on both
sides of a split.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from yuqi.errors import YuqiError

BANK_DIR = "cases"
CASES_FILE = "cases.jsonl"
FAMILIES_FILE = "families.json"
GRADES = ("A", "B", "C")
_SCHEME = re.compile(r"^[a-z]+://", re.I)


class BankError(YuqiError):
    """A malformed case bank: the message names the line and the field."""


@dataclass(frozen=True)
class CaseSource:
    url: str
    publisher: str
    date: str
    grade: str  # A official/news, B first-hand, C content site
    says: str  # what the page itself reports about the text


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    kind: str  # message | call | question
    source: CaseSource
    family: str
    threats: tuple[str, ...]
    verdict: str | None
    verdict_alt: str | None
    statutes: tuple[str, ...]
    why: str
    fragment: bool = False
    threats_alt: tuple[str, ...] | None = None
    # A second reading exists: `verdict_alt` None then means the second reader said null, not "no reading".
    second_reading: bool = False

    @property
    def page(self) -> str:
        return page_key(self.source.url)

    def closest_threats(self, predicted) -> tuple[str, ...]:
        """The reading of the threats nearer to `predicted` (scoring counts either, like the verdict)."""
        if self.threats_alt is None:
            return self.threats
        return min((self.threats, self.threats_alt), key=lambda g: len(set(g) ^ set(predicted)))

    def right(self, verdict: str | None) -> bool:
        """Either reading counts (the two readers disagreed on a genuinely ambiguous text)."""
        return verdict == self.verdict or (self.second_reading and verdict == self.verdict_alt)


@dataclass(frozen=True)
class Family:
    id: str
    name: str
    what: str
    reaches: str  # how a real one reaches a person
    basis: tuple[str, ...]
    verdict: str | None
    decisive: str  # the fact that would change the verdict
    todo: str
    shown_as: str  # how the answer names a case of this family ("公安通报过的同类诈骗话术")


def page_key(url: str) -> str:
    """A page's identity: scheme, "www."/"m." and a trailing slash do not make another page."""
    key = _SCHEME.sub("", (url or "").strip()).split("#")[0].rstrip("/")
    for prefix in ("www.", "m."):
        key = key[len(prefix):] if key.startswith(prefix) else key
    return key.lower()


def _case(d: dict, where: str) -> Case:
    try:
        src = d["source"]
        source = CaseSource(src["url"], src.get("publisher", ""), src.get("date", ""), src["grade"], src.get("says", ""))
        alt = d.get("threats_alt")
        case = Case(
            id=d["id"], text=d["text"], kind=d.get("kind", "message"), source=source, family=d["family"],
            threats=tuple(d.get("threats") or ()), verdict=d.get("verdict"), verdict_alt=d.get("verdict_alt"),
            second_reading="verdict_alt" in d,
            statutes=tuple(d.get("statutes") or ()), why=d.get("why", ""), fragment=bool(d.get("fragment")),
            threats_alt=tuple(alt) if alt is not None else None,
        )
    except (KeyError, TypeError) as err:
        raise BankError(f"{where}: missing or malformed field {err}") from None
    if source.grade not in GRADES or not case.text.strip():
        raise BankError(f"{where}: grade must be one of {GRADES} and text must not be empty")
    return case


def load_cases(path: Path) -> tuple[Case, ...]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                cases.append(_case(json.loads(line), f"{path.name}:{n}"))
            except json.JSONDecodeError as err:
                raise BankError(f"{path.name}:{n}: not JSON ({err.msg})") from None
    return tuple(cases)


def load_families(path: Path) -> dict[str, Family]:
    raw = json.loads(path.read_text(encoding="utf-8"))["families"]
    return {f["id"]: Family(f["id"], f["name"], f["what"], f["reaches"], tuple(f["basis"]), f["verdict"],
                            f["decisive"], f["todo"], f["shown_as"]) for f in raw}


def default_dir() -> Path:
    from yuqi.settings import load_settings

    return load_settings().corpus_dir / BANK_DIR


@lru_cache(maxsize=4)
def bank(directory: Path | None = None) -> tuple[tuple[Case, ...], dict[str, Family]]:
    """The shipped bank (cases, families); empty when the folder is absent (a bare test corpus)."""
    d = directory or default_dir()
    if not (d / CASES_FILE).is_file():
        return (), {}
    families = load_families(d / FAMILIES_FILE) if (d / FAMILIES_FILE).is_file() else {}
    return load_cases(d / CASES_FILE), families
