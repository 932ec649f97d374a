"""Per-report facts of the five real seed files, established by reading them."""

from __future__ import annotations

import pytest

from corpus.store import CorpusStore
from corpus.vocab import SECTION_ROLES

XB = ["广西壮族自治区", "来宾市", "兴宾区", "凤凰镇"]
QDL = ["新疆维吾尔自治区", "博尔塔拉蒙古自治州", "博乐市", "青得里街道"]
NP = ["湖北省", "恩施土家族苗族自治州", "利川市", "南坪乡"]
SL = ["河南省", "济源市", "思礼镇"]
SFH = ["黑龙江省", "牡丹江市", "绥芬河市"]
DH = ["江苏省", "连云港市", "东海县"]
PAGE_002 = "2021年市總工會工作情況報告"
PAGE_004 = "工會工作內容總結"

# (file prefix, ordinal): title, jurisdiction, path, level, org_type, year, doc_type, script,
# passages
EXPECTED = {
    ("000", 0): (
        "乡镇机关工会委员会开展会员评家工作情况自查报告",
        "凤凰镇",
        XB,
        "township",
        "机关工会",
        None,
        "自查报告",
        "simplified",
        9,
    ),
    ("001", 0): (
        "青得里街道2005年工會及其聯合會工作總結",
        "青得里街道",
        QDL,
        "street",
        "工会联合会",
        2005,
        "工作总结",
        "traditional",
        8,
    ),
    ("001", 1): (
        "街道工會聯合會工作總結",
        None,
        None,
        "street",
        "工会联合会",
        2015,
        "工作总结",
        "traditional",
        10,
    ),
    ("001", 2): (
        "南坪鄉工會聯合會2011工作總結",
        "南坪乡",
        NP,
        "township",
        "工会联合会",
        2011,
        "工作总结",
        "traditional",
        5,
    ),
    ("001", 3): (
        "思禮鎮工會聯合會工作總結",
        "思礼镇",
        SL,
        "township",
        "工会联合会",
        2020,
        "工作总结",
        "traditional",
        11,
    ),
    ("001", 4): (
        "鄉鎮工會聯合會工作總結",
        None,
        None,
        "township",
        "工会联合会",
        2015,
        "工作总结",
        "traditional",
        9,
    ),
    # A page dated 2021 that reports on 2017; the city is anonymised as xx市.
    ("002", 0): (PAGE_002, None, None, "city", "总工会", 2017, "工作报告", "traditional", 19),
    ("002", 1): (PAGE_002, None, None, "city", "总工会", None, "工作报告", "traditional", 18),
    # 市总工会 visiting 绥芬河镇 and 阜宁镇, both under the county-level city 绥芬河市.
    ("002", 2): (
        "市總工會工作調研報告",
        "绥芬河市",
        SFH,
        "county",
        "总工会",
        None,
        "调研报告",
        "traditional",
        11,
    ),
    # 我县 with 安峰、平明、白塔埠 and 牛山 named: all lie under 东海县.
    ("003", 0): (
        "强化乡镇工会工作促进“两个文明”建设",
        "东海县",
        DH,
        "county",
        None,
        None,
        "经验做法",
        "simplified",
        18,
    ),
    ("004", 0): (PAGE_004, None, None, "agency", None, None, "工作总结", "traditional", 3),
    ("004", 1): (PAGE_004, None, None, "enterprise", "企业工会", None, "论文", "traditional", 10),
    ("004", 2): (PAGE_004, None, None, "enterprise", "企业工会", None, "论文", "traditional", 11),
    ("004", 3): (PAGE_004, None, None, "enterprise", "企业工会", None, "论文", "traditional", 10),
    ("004", 4): (PAGE_004, None, None, "enterprise", None, None, "论文", "traditional", 9),
}
REPORTS_PER_FILE = {"000": 1, "001": 5, "002": 3, "003": 1, "004": 5}


def _by_key(store: CorpusStore) -> dict[tuple[str, int], object]:
    out = {}
    for rec in store.iter_reports():
        src = next(s for s in rec.sources if s["kind"] == "original")
        prefix = src["path"].rsplit("/", 1)[-1][:3]
        out[(prefix, src["ordinal"])] = rec
    return out


def test_reports_found_per_file(seed_store: CorpusStore) -> None:
    found: dict[str, int] = {}
    for prefix, _ in _by_key(seed_store):
        found[prefix] = found.get(prefix, 0) + 1
    assert found == REPORTS_PER_FILE


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: f"{k[0]}-{k[1]}")
def test_report_metadata(seed_store: CorpusStore, key: tuple[str, int]) -> None:
    title, jur, path, level, org, year, doc_type, script, n_passages = EXPECTED[key]
    rec = _by_key(seed_store)[key]
    got = (
        rec.title,
        rec.jurisdiction,
        rec.jurisdiction_path,
        rec.level,
        rec.org_type,
        rec.year,
        rec.doc_type,
        rec.script,
        rec.n_passages,
    )
    assert got == (title, jur, path, level, org, year, doc_type, script, n_passages)


def test_passages_point_into_original_text(seed_store: CorpusStore) -> None:
    for rec in seed_store.iter_reports():
        full = seed_store.get_report(rec.report_id)
        assert full is not None and full.text is not None and full.simplified is not None
        assert len(full.text) == len(full.simplified)
        for p in seed_store.passages_of(rec.report_id):
            assert full.text[p.start : p.end] == p.text
            assert p.section_role in SECTION_ROLES


def test_section_roles_of_fenghuang(seed_store: CorpusStore) -> None:
    rec = _by_key(seed_store)[("000", 0)]
    roles = [(p.section_path[:1], p.section_role) for p in seed_store.passages_of(rec.report_id)]
    assert (["三、存在主要问题及原因"], "存在问题") in roles
    assert (["四、下一步工作打算"], "下一步打算") in roles
    assert (["二、会员评家工作的主要成效"], "工作成效") in roles
    assert roles[0] == ([], "基本情况")


def test_inline_items_of_one_line_report(seed_store: CorpusStore) -> None:
    rec = _by_key(seed_store)[("003", 0)]
    paths = [p.section_path for p in seed_store.passages_of(rec.report_id)]
    tops = {p[0] for p in paths if p}
    assert {
        "一、提高认识，加强领导，强力推进乡镇工会组织建设",
        "二、建管并重，标准运作，不断强化乡镇工会制度建设",
        "三、以人为本，发挥职能，合力构筑大维权工作平台",
    } <= tops
    assert any(len(p) >= 2 and p[1].startswith("二是强化领导") for p in paths)


def test_trailing_problem_paragraph_gets_its_own_role(seed_store: CorpusStore) -> None:
    rec = _by_key(seed_store)[("001", 4)]
    passages = seed_store.passages_of(rec.report_id)
    problem = [p for p in passages if p.section_role == "存在问题"]
    assert problem and "工會相關檔案資料尚不齊全規范" in problem[0].text
    assert passages[-1].section_role == "下一步打算"


PRACTICES = {
    ("000", 0): 3,
    ("001", 0): 8,
    ("001", 1): 8,
    ("001", 2): 7,
    ("001", 3): 13,
    ("001", 4): 15,
    ("002", 0): 22,
    ("002", 1): 21,
    ("002", 2): 0,
    ("003", 0): 17,
    ("004", 0): 7,
    ("004", 1): 1,  # 3.x items say what a union should do (要强化…): proposals, not practices
    ("004", 2): 0,  # "具体措施" of a study, all 要…: proposals
    ("004", 3): 0,  # "几点措施" 一要…首先，要…: proposals
    ("004", 4): 4,
}


def test_practices_per_seed_report(seed_store: CorpusStore) -> None:
    by_key = _by_key(seed_store)
    got = {k: len(seed_store.practices_of(r.report_id)) for k, r in by_key.items()}
    assert got == PRACTICES


def test_practice_list_of_the_one_line_report(seed_store: CorpusStore) -> None:
    rec = _by_key(seed_store)[("003", 0)]
    heads = [p.text[:6] for p in seed_store.practices_of(rec.report_id)]
    assert heads == [
        "一是明确思路",
        "二是强化领导",
        "首先，明确县",
        "其次，进一步",
        "第三，要求县",
        "首先，抓试点",
        "其次，抓重点",
        "第三，抓难点",
        "一是建立健全",
        "二是建立流动",
        "三是建立党政",
        "四是建立学习",
        "五是建立员工",
        "七是创新经费",
        "一是强化民主",
        "二是坚持发展",
        "三是立足服务",
    ]
    passages = {p.passage_id for p in seed_store.passages_of(rec.report_id)}
    assert all(p.passage_id in passages for p in seed_store.practices_of(rec.report_id))


def test_practice_list_of_the_street_report(seed_store: CorpusStore) -> None:
    rec = _by_key(seed_store)[("001", 1)]
    practices = seed_store.practices_of(rec.report_id)
    assert [p.section_path[0][:2] for p in practices] == [
        "一、",
        "二、",
        "三、",
        "四、",
        "五、",
        "六、",
        "七、",
        "八、",
    ]
    assert practices[0].figures[0] == "簽訂率達85%"
    assert "農民工入會率達95%" in practices[3].figures
