"""The one table of citation statuses: what each means to a reader, its icon,
the summary wording and the in-place flag an answer gets.

Every page, card, CLI and answer check reads labels from here, so a status
never says one thing in one place and another elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    id: str
    label: str  # shown beside the citation
    icon: str
    summary: str  # "{n}处…" in one-line document summaries
    flag: str | None  # inserted after the citation in an answer; None: shown as is


STATUSES: dict[str, Status] = {s.id: s for s in (
    Status("verified", "已核验", "✅", "核验{n}处", None),
    Status("uploaded", "依据上传文本核对", "📄", "{n}处依据上传文本核对", "（⚠依据上传文本，未经官方文本核验）"),
    Status("renumbered", "条号已变动，有新旧两种读法", "⚠️", "{n}处条号已变动", "（⚠条号已变动{current}）"),
    Status("outdated", "修订前编号", "⚠️", "{n}处为修订前编号", "（现行为{current}）"),
    Status("dated", "按旧版本条号引用", "⚠️", "{n}处按旧版本条号引用", "（⚠旧版本条号）"),
    Status("not_found", "条文不存在", "❌", "{n}处条文不存在", "（⚠该条不存在）"),
    Status("quote_mismatch", "引文与条文不符", "⚠️", "{n}处引文与条文不符", "（⚠未核验）"),
    Status("repealed", "已失效", "❌", "{n}处所引法律已失效", "（⚠已失效）"),
    Status("unknown_law", "未收录，无法核验", "❔", "{n}处未收录无法核验", "（⚠未核验）"),
    Status("garbled", "条号无法识别", "❔", "{n}处条号无法识别", "（⚠未核验）"),
)}
IDS = tuple(STATUSES)
FLAG_OLD_QUOTE = "（原文为施行时的旧条号）"  # a quoted regulation's own cross-reference, numbered before a later revision
FLAG_UNVERIFIED = "（⚠未核验）"  # exists, but not among the passages the answer may rest on
APPLIES_LABEL = "条文存在，但不等于构成"  # verified, yet the claim it backs does not fit ordinary default
APPLIES_ICON = "ℹ️"
# Any flag this table can produce: keeps cleaning idempotent and lets counts see flags.
ANY_FLAG = re.compile(r"（(?:⚠[^）\n]{0,40}|现行为[^）\n]{0,30}|原文为施行时的旧条号)）")


def status(status_id: str) -> Status:
    return STATUSES.get(status_id) or Status(status_id, status_id, "❔", f"{{n}}处{status_id}", FLAG_UNVERIFIED)


def label(status_id: str) -> str:
    return status(status_id).label


def badge(status_id: str, has_claim: bool = False) -> str:
    """'✅ 已核验', or for a verified article cited as a crime: 'ℹ️ 条文存在，但不等于构成'."""
    if status_id == "verified" and has_claim:
        return f"{APPLIES_ICON} {APPLIES_LABEL}"
    s = status(status_id)
    return f"{s.icon} {s.label}"


def flag(status_id: str, current_no: str = "") -> str | None:
    s = status(status_id)
    if s.flag is None:
        return None
    if "{current}" in s.flag:
        if s.id == "outdated" and not current_no:
            return FLAG_UNVERIFIED
        return s.flag.format(current=f"，旧版该条现为{current_no}" if s.id == "renumbered" and current_no
                             else current_no)
    return s.flag
