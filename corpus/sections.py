"""Heading hierarchy and section roles of one report.

Markers (一、 / （一） / 1、 / 1. / (1) / 一是 / 首先…) are found at line starts and, when a
report was flattened into one long line, inline after punctuation or a space. An inline
marker only counts when it continues its numbering (二、 after 一、), which keeps phrases like
"三、四中全会" out. Nesting follows the order in which marker kinds appear, as a reader would:
the first kind seen is the top level, a new kind opens a child level, a kind already open
closes everything below it. Items (一是, 首先) always nest under the heading they appear in.

Tail paragraphs after the last heading that open with "存在…不足" or "下一步/今后…将" get a
section of their own, so a closing 存在问题 paragraph is not filed under the last 做法 heading.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from corpus.lexicon import PAPER_LABELS
from corpus.markers import ITEM_KINDS, MARKER_FIRST, cn_to_int, marker_number, match_marker
from corpus.models import Section
from corpus.segment import inside_word

INLINE_AFTER = set("。！？；;：:，, \n")
# An INLINE_AFTER character followed by one a marker can start with: only there can an
# inline marker begin (most commas and full stops are followed by no marker character, and
# each candidate costs a match_marker call).
_INLINE_AFTER_RE = re.compile(
    "[" + re.escape("".join(sorted(INLINE_AFTER))) + f"](?={MARKER_FIRST})"
)
_TITLE_END_HEADING = re.compile(r"[。！？；\n]| (?=\S)")
_TITLE_END_ITEM = re.compile(r"[，。；：！？,;:\n ]")
MAX_TITLE = 60

# Role words of headings. Each must sit on word boundaries of the heading (see _role_match),
# so a role word inside a longer term (建议 in 合理化建议, 计划 in 计划生育) never counts.
# Plan nouns that also name programmes (计划, 方案, 建议, 要点) count only after a word that
# makes them a work plan or a proposal (工作计划, 几点建议), not in 实施银龄人才计划.
ROLE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "存在问题",
        re.compile(r"存在|问题|不足|差距|薄弱|短板|面临.{0,4}困难"),
    ),
    ("原因分析", re.compile(r"原因|成因")),
    (
        "下一步打算",
        re.compile(
            r"下一步|下步|打算|今后|明年|工作思路|工作安排|"
            r"(?:工作|年度?|下一步|明年|今后|五年)的?(?:计划|要点|规划)|"
            r"(?:意见|几点|的|和|与|及|对策|政策|工作)建议|^建议|对策|展望|设想|"
            r"目标任务|主要任务|重点任务|工作任务|使命任务|总体要求|总体部署|工作部署|主要目标|"
            r"预期目标|奋斗目标|政策取向|基本方针|指导方针|主要考虑|重点工作安排|"
            r"努力方向"
        ),
    ),
    (
        "工作成效",
        re.compile(r"成效|成绩|(?:工作|主要|取得的?)成果|^.{0,6}成果|效果|成就|亮点|收获"),
    ),
    ("基本情况", re.compile(r"基本情况|概况|总体情况|现状|情况介绍")),
    ("主要做法", re.compile(r"做法|措施|举措|工作情况|主要工作|经验|回顾")),
]
STRONG_ROLES = {"存在问题", "原因分析", "下一步打算", "工作成效"}
# A heading that looks back (回顾, 完成情况) is never a plan, whatever task nouns it names:
# "一、2020年目标任务完成情况".
REVIEW_WORDS = re.compile(r"回顾|完成情况|落实情况|开展情况|进展情况|工作情况|总结|成效|成绩|成就")
# Headings that name a year or a five-year period: "三、2026年重点工作", "“十五五”时期…".
TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
TITLE_FIVE_YEAR = re.compile(r"[“\"]?([一二三四五六七八九十]{1,3})五[”\"]?(?:时期|期间|规划)")

PLAN_CUE = re.compile(
    r"^(?:下一步|今后|在今后的工作中|新的一年|明年|(?:19|20)\d\d年(?:[^，。]{0,6})?(?:将|要)|"
    r"(?:我们)?将(?:继续|进一步))|"
    r"^[^。！？]{0,20}今年(?!以来)[^。！？，]{0,16}(?:总体要求|主要任务|主要预期目标|基本方针|工作任务)"
)
LABEL_LINE = re.compile(
    rf"^(?:{PAPER_LABELS})|"
    r"^(?:名词解释|注\s*释|附\s*件\s*\d*)\s*$"
)

# Problem paragraphs: a report says what is wrong in two ways. It acknowledges ("我们也清醒地
# 看到", "在肯定成绩的同时") and it states that problems exist ("还存在一些困难和问题",
# "面临不少困难和挑战"). A paragraph whose opening sentence states problems, or acknowledges
# and then states them in the next sentence, is a 存在问题 paragraph wherever it sits.
PROBLEM_ACK = re.compile(
    r"(?:清醒|清楚|深刻|冷静|客观)地?(?:看到|认识到|意识到|地认识|看)|"
    r"(?:肯定|看到|总结|回顾)[^，。]{0,8}(?:成绩|成效|成就)[^，。]{0,4}同时|"
    r"问题说透|正视[^，。]{0,6}(?:问题|困难|不足)|不足之处"
)
PROBLEM_NOUN = "问题|不足|差距|困难|短板|弱项|缺点|矛盾|挑战|薄弱环节|隐患|不到位"
_ANY_PROBLEM = re.compile(PROBLEM_NOUN)
PROBLEM_EXIST = re.compile(
    rf"(?:存在|还有|仍有|仍然有|尚有|依然有|面临|遇到|暴露出?|有待解决)(?:着|的|了)?"
    rf"[^，。；：]{{0,16}}?(?:{PROBLEM_NOUN})"
)
# Without an acknowledgement, a finding turns on "still" or "but": "但工作中还存在一些不足".
PROBLEM_TURN = re.compile(r"还|仍|依然|依旧|但|然而|同时|不过|也|尚")
# "解决职工反映的突出问题" is a thing done, not a problem found.
_SOLVING = re.compile(
    r"(?:解决|化解|协调|处理|帮助|破解|整改|克服|应对|针对|排查|梳理|查找|缩小|弥补|补齐)"
    r"[^，。；：]{0,20}"
    r"(?:问题|困难|矛盾|隐患|短板|差距|不足|薄弱)"
)
# Later paragraphs carry on a problem statement when they enumerate it or keep its voice.
PROBLEM_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]是|主要是|主要表现|表现在|具体表现|其一|其二)"
)
# A closing sentence that points back at the problems just listed ("切实解决这些问题").
PROBLEM_CLOSE = re.compile(
    r"^对此|(?:这些|上述|以上|前述)(?:突出|困难和|矛盾和)?(?:问题|困难|矛盾|不足|短板)"
)
NEGATIVE = re.compile(
    r"不够|不强|不足|不高|不多|不到位|不完善|不平衡|不充分|不协调|不稳固|不牢固|不顺畅|不适应|"
    r"偏弱|偏低|偏高|偏多|滞后|薄弱|短板|差距|压力|困难|有待|亟待|还需|尚未|尚不|矛盾|隐患|"
    r"缺乏|欠缺|乏力|不振|承压|下滑|较多|较大|突出|依然|仍然"
)
# The voice of a plan: what is to be done (要, 力争, 确保), against what was done (了, 已,
# 累计, 比上年). 要 inside 重要/主要/需要/要求… is not the modal; a regex with those words
# excluded is enough here, and is far cheaper than segmenting every sentence.
# Every alternative of FORWARD and PAST starts with a literal character (the look-behind
# comes after 要 and 了, not before), so the regex engine skips ahead to the characters
# that can start a match instead of trying every alternative at every position: 6-9x
# faster on whole reports, same matches.
FORWARD = re.compile(
    r"要(?<![重主需纲摘首必只想紧不]要)(?![求素点害闻务员])|力争|确保|务必|必须|明年|拟|预期|争取|"
    r"今年(?:要|将|计划|拟|力争|的?(?:主要|总体|工作|发展))|"
    r"将(?:继续|进一步|全面|加快|大力|着力|深入|坚持|持续|推动|推进|积极|切实|重点)"
)
PAST = re.compile(
    r"了(?<![为除]了)(?!解)|已经|已|累计|比上年|同比|去年|过去|一年来|今年以来|年初以来|先后|共计|"
    r"增长\d|下降\d|提高\d"
)
_SENTENCE = re.compile(r"[^。！？；\n]+")
_SENTENCE_END = re.compile(r"[。！？；\n]")
# A section reads as a plan when most of its sentences that show a tense look forward.
PLAN_VOICE_MIN = 3
# The voice is read from the first characters of a section: enough sentences to tell.
VOICE_SPAN = 5000
# A heading with a practice word (措施, 举措) yields only to a clearly forward voice: the
# "具体措施" of a study that says what should be done.
STRONG_PLAN_VOICE_SHARE = 0.75
PLAN_VOICE_SHARE = 0.55
# ...and as a review when they mostly look back (used to stop plan inheritance).
REVIEW_VOICE_SHARE = 0.35
PSEUDO = frozenset({"preamble", "cue", "label", "para"})


@dataclass
class _Hit:
    kind: str
    number: int
    pos: int
    end: int  # end of the marker itself
    line_start: bool
    role: str | None = None


def _role_match(title: str, pattern: re.Pattern[str]) -> bool:
    """A match of ``pattern`` that is not a piece of one longer word of ``title``."""
    return any(not inside_word(title, m.start(), m.end()) for m in pattern.finditer(title))


@lru_cache(maxsize=8192)
def role_of_title(title: str) -> str | None:
    solving = _SOLVING.search(title) and "存在" not in title
    review = REVIEW_WORDS.search(title)
    for role, pattern in ROLE_RULES:
        if role == "存在问题" and solving:
            continue
        if role == "下一步打算" and review:
            continue
        if _role_match(title, pattern):
            return role
    return None


def _inner_space(simp: str, title_start: int, pos: int) -> bool:
    """A space that does not end a heading title: right after the marker ("一、 过去五年…") or
    inside a date or figure ("2024 年", "1 9 9 3 年")."""
    if not simp[title_start:pos].strip():
        return True
    before, after = simp[pos - 1], simp[pos + 1 : pos + 2]
    return before.isdigit() and (after.isdigit() or after in "年月日%％")


def _heading_title(simp: str, hit: _Hit) -> int:
    """End offset of the heading title that starts at ``hit.pos``."""
    if hit.kind in ITEM_KINDS or hit.kind in ("cue", "label"):
        m = _TITLE_END_ITEM.search(simp, hit.end, hit.end + MAX_TITLE)
        return m.start() if m else min(len(simp), hit.end + 30)
    m = _TITLE_END_HEADING.search(simp, hit.end, hit.end + 200)
    while m and simp[m.start()] == " " and _inner_space(simp, hit.end, m.start()):
        m = _TITLE_END_HEADING.search(simp, m.end(), hit.end + 200)
    end = m.start() if m else min(len(simp), hit.end + MAX_TITLE)
    if end - hit.pos > 40:
        comma = simp.find("，", hit.end, end)
        end = comma if comma > 0 else min(end, hit.pos + MAX_TITLE)
    return end


def _find_hits(simp: str, begin: int) -> list[_Hit]:
    hits = []
    n = len(simp)
    # Candidate positions (the start, and after each INLINE_AFTER character that a marker
    # character follows) found by a regex in C rather than by a Python step per character;
    # a hit skips past its marker.
    after = (m.end() for m in _INLINE_AFTER_RE.finditer(simp, begin, max(begin, n)))
    resume = begin
    for i in (begin, *after) if begin < n else ():
        if i < resume:
            continue
        found = match_marker(simp, i)
        if found:
            kind, m = found
            number = marker_number(kind, m.group("n"))
            if number is not None:
                line_start = i == begin or simp[i - 1] == "\n"
                hits.append(_Hit(kind, number, i, m.end(), line_start))
                resume = m.end()
    return hits


def _accept(hits: list[_Hit]) -> list[tuple[_Hit, int]]:
    """Keep hits that fit the numbering; return them with their depth (1 = top)."""
    stack: list[_Hit] = []
    top_kind: str | None = None
    out: list[tuple[_Hit, int]] = []
    for hit in hits:
        pseudo = hit.kind in ("cue", "label")
        if pseudo:
            stack = [hit]
            out.append((hit, 1))
            continue
        if hit.line_start and hit.kind in ITEM_KINDS:
            # Items that started inside an earlier paragraph end with that paragraph.
            while stack and stack[-1].kind in ITEM_KINDS and not stack[-1].line_start:
                stack.pop()
        kinds = [h.kind for h in stack]
        if (
            stack
            and stack[0].kind in ("cue", "label")
            and hit.kind not in ITEM_KINDS
            and (top_kind is None or hit.kind == top_kind)
        ):
            stack = []
            kinds = []
        if hit.kind in kinds:
            idx = kinds.index(hit.kind)
            prev = stack[idx].number
            # Inline markers must continue the numbering; items may skip one number (七是
            # after 五是 happens in real reports), headings may not (三、四中全会).
            step_ok = hit.number == prev + 1 or (hit.kind in ITEM_KINDS and hit.number == prev + 2)
            if not hit.line_start and not step_ok and not (hit.kind == "seq" and hit.number == 99):
                continue
            stack = [*stack[:idx], hit]
        else:
            if not hit.line_start and hit.number != 1:
                continue
            if hit.kind not in ITEM_KINDS:
                while stack and stack[-1].kind in ITEM_KINDS:
                    stack.pop()
            stack.append(hit)
        if top_kind is None and hit.kind not in ITEM_KINDS:
            top_kind = stack[0].kind if stack[0].kind not in ("cue", "label") else hit.kind
        out.append((hit, len(stack)))
    return out


def _tail_cues(simp: str, begin: int, after: int) -> list[_Hit]:
    """Paragraphs after the last heading that open a 存在问题 or 下一步打算 passage."""
    cues: list[_Hit] = []
    pos = begin
    for line in simp[begin:].split("\n"):
        if pos > after and not match_marker(line):
            role = None
            if opens_plan(line):
                role = "下一步打算"
            elif states_problems(line):
                role = "存在问题"
            if role and (not cues or cues[-1].role != role):
                cues.append(_Hit("cue", 0, pos, pos, True, role))
        pos += len(line) + 1
    return cues


def _sentences(line: str, n: int) -> list[str]:
    out = []
    for m in _SENTENCE.finditer(line):
        out.append(m.group())
        if len(out) == n:
            break
    return out


def states_problems(line: str, strict: bool = False) -> bool:
    """True when the paragraph ``line`` (simplified) opens by stating problems.

    The opening sentence must state them, or acknowledge them and let the next sentence
    state them; problems being solved ("解决…问题", "针对…矛盾") do not count. ``strict``
    (inside a plan) asks for the acknowledgement too, so that "今年面临的挑战" stays a plan."""
    if not _ANY_PROBLEM.search(line, 0, 400):
        return False  # most paragraphs: no problem word at all
    sents = _sentences(line[:400], 2)
    if not sents:
        return False
    ack = PROBLEM_ACK.search(sents[0])
    if strict and not ack:
        return False
    scope = "。".join(sents) if ack else sents[0]
    for m in PROBLEM_EXIST.finditer(scope):
        clause = max(scope.rfind(c, 0, m.start()) for c in "，。；：,") + 1
        if _SOLVING.search(scope[clause : m.end()]):
            continue
        if (
            not ack
            and m.start() > 2
            and not PROBLEM_TURN.search(scope, max(0, m.start() - 15), m.start() + 3)
        ):
            continue  # a passing mention ("涉及面广、存在的问题各有不同"), not a finding
        if not inside_word(scope, m.start(), m.end()):
            return True
    return False


def opens_plan(line: str) -> bool:
    """True when the paragraph ``line`` (simplified) opens on the coming year's work."""
    return bool(PLAN_CUE.search(line[:80]))


def _continues(line: str, role: str) -> bool:
    """Whether a paragraph carries on the 存在问题 or 下一步打算 passage before it."""
    head = line[:150]
    if role == "存在问题":
        first = _sentences(head, 1)
        if PROBLEM_ITEM.match(head) or (first and PROBLEM_CLOSE.search(first[0])):
            return True
        hits = len(NEGATIVE.findall(head))
        return hits >= 3 or (hits >= 2 and len(head) < 60)
    if role == "下一步打算":
        first = _sentences(line, 1)
        return bool(first) and bool(FORWARD.search(first[0])) and not PAST.search(first[0])
    return False


def _voice(span: str) -> tuple[int, int]:
    """Sentences of ``span`` with a cue that looks forward, and with one that looks back.

    One regex pass per cue kind; each cue is mapped to its sentence by bisection (a loop
    over sentences cost a tenth of ingest time)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(span)]

    def sentences(pattern: re.Pattern[str]) -> int:
        return len({bisect_right(ends, m.start()) for m in pattern.finditer(span)})

    return sentences(FORWARD), sentences(PAST)


def _periods(title: str) -> tuple[int | None, int | None]:
    """The latest year and five-year period (十四五 -> 14) that a heading names."""
    years = [int(y) for y in TITLE_YEAR.findall(title.replace(" ", ""))]
    fives = [cn_to_int(n) for n in TITLE_FIVE_YEAR.findall(title)]
    fives_known = [f for f in fives if f is not None]
    return (max(years) if years else None, max(fives_known) if fives_known else None)


def _top_level_roles(simp: str, sections: list[Section]) -> None:
    """Plan sections that their heading words alone do not reveal.

    Government work reports review a year and then set out the next one; their plan
    headings often carry no plan word ("三、2026年的工作", "四、加强政府自身建设"). A top-level
    section is a plan when its heading names a later year or five-year period than the
    headings that look back, when its sentences mostly look forward, or, after the report
    has turned to plans, when its heading has no role word and its text does not look back.
    """
    tops = [i for i, s in enumerate(sections) if s.depth == 1 and s.marker not in PSEUDO]
    review_year = review_five = None
    for i in tops:
        title = simp[sections[i].start : sections[i].body_start]
        if REVIEW_WORDS.search(title):
            y, f = _periods(title)
            review_year = max(filter(None, (review_year, y)), default=None)
            review_five = max(filter(None, (review_five, f)), default=None)
    plan_seen = False
    plan_rule = dict(ROLE_RULES)["下一步打算"]
    for n, i in enumerate(tops):
        sec = sections[i]
        end = sections[tops[n + 1]].start if n + 1 < len(tops) else len(simp)
        title = simp[sec.start : sec.body_start]
        own = role_of_title(title)
        review = REVIEW_WORDS.search(title)
        plan = False
        mixed = review and _role_match(title, plan_rule)
        if mixed or (own in (None, "主要做法") and not review):
            y, f = _periods(title)
            later = (y is not None and review_year is not None and y > review_year) or (
                f is not None and review_five is not None and f > review_five
            )
            if later and not mixed:
                plan = True
            else:  # only now is the voice worth reading
                fwd, back = _voice(simp[sec.body_start : min(end, sec.body_start + VOICE_SPAN)])
                share = fwd / (fwd + back) if fwd + back else 0.0
                dense = fwd >= PLAN_VOICE_MIN
                if mixed:
                    plan = share >= 0.5
                else:
                    plan = (
                        (dense and share >= PLAN_VOICE_SHARE and own is None)
                        or (dense and share >= STRONG_PLAN_VOICE_SHARE)
                        or (
                            plan_seen
                            and own is None
                            and not (back >= 3 and share <= REVIEW_VOICE_SHARE)
                        )
                    )
        if plan:
            _set_role(sections, i, "下一步打算")
        if sec.role == "下一步打算":
            plan_seen = True


def _set_role(sections: list[Section], i: int, role: str) -> None:
    """Give section ``i`` and the sections under it without a strong heading of their own
    ``role``."""
    top = sections[i]
    top.role = role
    for sec in sections[i + 1 :]:
        if sec.depth <= top.depth:
            break
        if sec.marker in ("cue", "label"):
            continue
        if sec.marker in ITEM_KINDS or role_of_title(sec.title) not in STRONG_ROLES:
            sec.role = role


def _paragraph_roles(simp: str, sections: list[Section]) -> list[Section]:
    """Split sections where a paragraph states problems or turns to plans.

    A problem paragraph inside a review ("我们也清醒地看到……还存在一些困难和问题") starts a
    ``para`` section of role 存在问题 one level below the section it sits in; the items and
    sub-headings that follow it inside that section share the role, and so do the paragraphs
    that carry on its enumeration or its voice. The first paragraph that does neither starts a
    ``para`` section that returns to the section's own role. Plan paragraphs (下一步, 今后,
    明年) work the same way."""
    out: list[Section] = []
    # (role, depth of the section the paragraph sits in, role to return to)
    active: tuple[str, int, str] | None = None
    last_top = "主要做法"  # role of the last real top-level section, for tail paragraphs
    for i, sec in enumerate(sections):
        own_end = sections[i + 1].start if i + 1 < len(sections) else len(simp)
        if active and sec.depth <= active[1]:
            active = None
        out.append(sec)
        if sec.marker == "label":
            continue
        if sec.marker == "cue":
            # A closing paragraph after the last heading: its run ends like any other.
            base = last_top
        else:
            if sec.depth == 1 and sec.marker != "preamble":
                last_top = sec.role
            if active and (
                sec.marker in ITEM_KINDS or role_of_title(sec.title) not in STRONG_ROLES
            ):
                sec.role = active[0]
            base = active[2] if active else sec.role
        current = sec.role
        # Paragraphs of the section's own text; the heading line itself belongs to the heading.
        if sec.marker == "preamble":
            pos = sec.start
        else:
            nl = simp.find("\n", sec.body_start, own_end)
            pos = nl + 1 if nl >= 0 else own_end
        while pos < own_end:
            nl = simp.find("\n", pos, own_end)
            line_end = nl if nl >= 0 else own_end
            line = simp[pos:line_end].strip()
            if line and not match_marker(line):
                cue = None
                if current == "其他":
                    pass  # notes, glossaries, references: no roles of their own
                elif current not in ("存在问题", "原因分析") and states_problems(
                    line, strict=current == "下一步打算"
                ):
                    cue = "存在问题"
                elif current != "下一步打算" and opens_plan(line):
                    cue = "下一步打算"
                role = None
                if cue and cue != current:
                    role = cue
                    active = (cue, active[1] if active else sec.depth, base)
                elif current != base and not _continues(line, current):
                    role = base
                    active = None
                if role is not None:
                    start = pos + (len(simp[pos:line_end]) - len(simp[pos:line_end].lstrip()))
                    out.append(
                        Section("", "para", sec.depth + 1, start, len(simp), start, role, sec.path)
                    )
                    current = role
            pos = line_end + 1
    return out


def _labels(simp: str, begin: int) -> list[_Hit]:
    out = []
    pos = begin
    for line in simp[begin:].split("\n"):
        m = LABEL_LINE.match(line)
        if m:
            out.append(_Hit("label", 0, pos, pos + m.end(), True, "其他"))
        pos += len(line) + 1
    return out


def parse_sections(text: str, simp: str, begin: int = 0) -> list[Section]:
    """Sections of ``text[begin:]`` in document order; ``simp`` is its simplified twin."""
    hits = _find_hits(simp, begin)
    heading_hits = [h for h in hits if h.kind not in ITEM_KINDS]
    last_heading = max((h.pos for h in heading_hits), default=begin - 1)
    extra = _tail_cues(simp, begin, last_heading) + _labels(simp, begin)
    first_heading = min((h.pos for h in heading_hits), default=None)
    if first_heading is not None:
        # Items before the first heading are part of the preamble, not sections of their own.
        hits = [h for h in hits if h.kind not in ITEM_KINDS or h.pos > first_heading]
    hits = sorted(hits + extra, key=lambda h: h.pos)
    accepted = _accept(hits)
    sections: list[Section] = []
    first = accepted[0][0].pos if accepted else len(text)
    if simp[begin:first].strip():
        sections.append(Section("", "preamble", 1, begin, first, begin, "基本情况", ()))
    path_stack: list[Section] = []
    for hit, depth in accepted:
        title_end = _heading_title(simp, hit)
        title = text[hit.pos : title_end].strip()
        if hit.kind == "cue":
            top = next((x for x in reversed(sections) if x.depth == 1), None)
            if top is not None and top.role == hit.role:
                continue  # already inside a section of that role
            title = ""
        while path_stack and path_stack[-1].depth >= depth:
            path_stack.pop()
        parent = path_stack[-1] if path_stack else None
        if hit.role:
            role = hit.role
        elif hit.kind in ITEM_KINDS and parent is not None:
            role = parent.role
        else:
            own = role_of_title(simp[hit.pos : title_end])
            if parent is None:
                role = own or "主要做法"
            else:
                role = own if own in STRONG_ROLES else parent.role
        path = (*parent.path, title) if parent else ((title,) if title else ())
        sec = Section(title, hit.kind, depth, hit.pos, len(text), title_end, role, path)
        sections.append(sec)
        path_stack.append(sec)
    _set_ends(sections)
    _top_level_roles(simp, sections)
    sections = _paragraph_roles(simp, sections)
    _set_ends(sections)
    return sections


def _set_ends(sections: list[Section]) -> None:
    # A section ends where the next section at the same or a shallower depth begins.
    for i, sec in enumerate(sections):
        for later in sections[i + 1 :]:
            if later.depth <= sec.depth:
                sec.end = later.start
                break
