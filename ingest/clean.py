"""Strip web-page furniture from plain-text article dumps.

The seed articles are text dumps of Chinese law-firm and news pages: the body
sits between breadcrumbs, share buttons, copyright notices, navigation,
related-article teasers and reader comments. `clean_article` keeps the body
as whole original lines.

Invariant: `text == "\\n".join(raw[s:e] for s, e in spans)`, i.e. for each kept
line i, `raw[spans[i][0]:spans[i][1]]` is exactly line i of `text` (lines are
kept with surrounding whitespace trimmed). Chunk offsets in `text` can thus be
mapped back to the source file exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lines that are page furniture wherever they appear: (category, pattern).
# Patterns are matched against the stripped line with re.search.
FURNITURE: list[tuple[str, str]] = [
    ("breadcrumb", r"^(当前位置|您的位置|你的位置|您现在的位置)"),
    ("breadcrumb", r"首页\s*[>›»/]|>\s*>?\s*正文(内容)?\s*$"),
    ("font", r"^字[体号]\s*[:：]?\s*([大中小]\s*)*$"),
    ("share", r"^(分享|分享到|收藏|打印|收起|展开|公众号|加载中|点赞|举报)[:：.…。\s]*$"),
    ("share", r"语音播报|返回顶部|一键分享|分享到[:：]?\s*(微信|微博|QQ)"),
    ("qr", r"扫描二维码(推送至手机访问|关注)|扫码(关注|下载|阅读)|扫一扫"),
    ("copyright", r"^(版权声明|原创声明|免责声明|特别声明|声明)\s*[:：]"),
    ("copyright", r"Copyright|©|All Rights Reserved|版权所有"),
    ("copyright", r"(未经(授权|许可|同意)?|严禁|禁止)(禁止|不得|严禁)?(任何)?(转载|复制)|转载请(注明|附上)"),
    ("icp", r"ICP\s*[备证]|公网安备|\d{6,}号-\d"),
    ("link", r"^本文(链接|地址|网址)\s*[:：]"),
    ("nav", r"^(上一篇|下一篇|上一页|下一页|阅读下一篇|返回列表|返回首页|没有(最新|更多|上一篇|下一篇)的?文章了?)"),
    ("editor", r"^【(纠错|责任编辑|编辑|来源)|^[(（]?责任编辑\s*[:：]"),
    ("editor", r"^(来源|作者|编辑|发布时间|发布日期|更新时间|浏览次数|阅读量|点击量)\s*[:：]"),
    ("rule", r"^[-—_*=~·•.…]{3,}$"),  # Markdown/ASCII separators
    ("promo", r"尽在\s*APP|(下载|打开)\s*APP|APP\s*(专享|内打开)"),
]

# Section headings after which the rest of the page is a teaser list or reader
# comments. Comments are dropped on purpose: they are unverified, often
# contradict the article and each other, and many are SEO-spun text.
TAIL: list[tuple[str, str]] = [
    ("related", r"(的)?相关(文章|阅读|推荐|新闻|资讯|问题)(推荐)?\s*[:：]?$"),
    ("related", r"^(热门推荐|猜你喜欢|推荐阅读|延伸阅读|热门文章|最新文章|热点推荐|VIP课程推荐|APP专享直播)\s*[:：]?$"),
    ("comments", r"^(精彩评论|网友评论|用户评论|热门评论|最新评论|全部评论|评论区|发表评论|读者评论)"
                 r"\s*([（(]\d+[)）])?\s*[:：]?$"),
]

# A standalone date / author line: a date, little else, no sentence.
_DATE = re.compile(r"(19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}|(19|20)\d{2}\s+\d{1,2}\s*/\s*\d{1,2}")
_URL = re.compile(r"https?://[^\s，。）)】]+")
_HEADING_MAX = 80  # longer lines are paragraphs, not headings
_TITLE_MAX = 50
_TAIL_MIN_BODY = 200  # a tail heading before this much body is a sidebar label only
_FURNITURE = [(c, re.compile(p, re.I)) for c, p in FURNITURE]
_TAIL = [(c, re.compile(p, re.I)) for c, p in TAIL]


@dataclass(frozen=True)
class CleanResult:
    text: str
    title: str  # "" when no heading line was found
    url: str | None
    spans: tuple[tuple[int, int], ...]
    dropped: dict[str, int]  # category → number of lines dropped


def split_lines(raw: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line in `raw`, surrounding whitespace trimmed."""
    out = []
    for m in re.finditer(r"[^\n]+", raw):
        line = m.group()
        lead = len(line) - len(line.lstrip())
        body = line.strip()
        if body:
            out.append((m.start() + lead, m.start() + lead + len(body)))
    return out


def furniture_kind(line: str) -> str | None:
    for kind, pattern in _FURNITURE:
        if pattern.search(line):
            return kind
    if len(line) <= 40 and _DATE.search(line) and not re.search(r"[。！？；]", line):
        return "byline"
    return None


def tail_kind(line: str) -> str | None:
    if len(line) > _HEADING_MAX:
        return None
    return next((kind for kind, pattern in _TAIL if pattern.search(line)), None)


def _key(line: str) -> str:
    """Compare headings regardless of markup, spacing and punctuation width."""
    return re.sub(r"[\s#*>:：,，?？!！.。、\-—]+", "", line)


def _is_paragraph(line: str) -> bool:
    return len(line) > _HEADING_MAX or bool(re.search(r"[。！；]", line))


def find_title(lines: list[str], hint: str | None = None) -> int | None:
    """Index of the title: a heading line before the first paragraph.

    Pages repeat their title (image alt text, "X的相关文章", "X,本文为…原创"),
    so a candidate that recurs in the body wins; then the earliest. `hint` (e.g. an
    HTML <title>) picks the line that matches it, if any.
    """
    body = next((i for i, line in enumerate(lines) if _is_paragraph(line)), len(lines))
    candidates = []
    for i, line in enumerate(lines[:body]):
        key = _key(line)
        if len(line) > _TITLE_MAX or furniture_kind(line) or tail_kind(line) or len(key) < 4:
            continue
        if hint and (key in _key(hint) or _key(hint) in key):
            return i
        # Repeats within the header are channel labels (逾期协商 … 逾期协商).
        recurs = any(key in _key(later) for later in lines[body:])
        candidates.append((recurs, -i, i))
    return max(candidates)[2] if candidates else None


def clean_article(raw: str, title_hint: str | None = None) -> CleanResult:
    """Keep the article body of a text dump; see the module doc for `spans`."""
    spans = split_lines(raw)
    lines = [raw[s:e] for s, e in spans]
    dropped: dict[str, int] = {}
    url = _find_url(lines)
    title_at = find_title(lines, title_hint)
    title = lines[title_at].lstrip("#").strip() if title_at is not None else ""
    title_key = _key(title)
    kept: list[int] = []
    body_chars = 0
    tail: str | None = None
    for i, line in enumerate(lines):
        kind = tail if tail else _drop_reason(i, line, lines, kept, title_at, title_key)
        if not tail and (t := tail_kind(line)) and body_chars >= _TAIL_MIN_BODY:
            tail = kind = t
        if kind:
            own = furniture_kind(line) if tail else None
            dropped[own or kind] = dropped.get(own or kind, 0) + 1
            continue
        kept.append(i)
        body_chars += len(line)
    if not title and kept and len(lines[kept[0]]) <= _HEADING_MAX:
        title = lines[kept[0]].lstrip("#").strip()
    kept_spans = tuple(spans[i] for i in kept)
    text = "\n".join(lines[i] for i in kept)
    return CleanResult(text=text, title=title, url=url, spans=kept_spans, dropped=dropped)


def _drop_reason(i, line, lines, kept, title_at, title_key) -> str | None:
    if kind := furniture_kind(line):
        return kind
    if tail_kind(line):
        return "heading"  # a related/comments label too early to end the page
    if title_at is not None and i < title_at and not _is_paragraph(line):
        return "header"  # site name, channel labels above the title
    if title_at is not None and i > title_at and _key(line) == title_key:
        return "image_alt"  # the title repeated inside the body
    if kept and _key(lines[kept[-1]]) == _key(line):
        return "duplicate"
    return None


def _find_url(lines: list[str]) -> str | None:
    for line in lines:
        if furniture_kind(line) == "link" and (m := _URL.search(line)):
            return m.group().rstrip(".,;")
    return None
