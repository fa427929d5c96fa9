"""参保信息查询, 保障信息查询, 给付信息查询 over a real loopback server, and `union-server
load-payouts` with good and bad files: every answer scoped (a district sees nothing of another
district's people; a grassroots clerk only its own union's), every list with masked numbers only."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from app.rules.idcard import mask_id
from server import accounts
from server.db import session, write_tx
from server.models import PayoutRecord, Submission, Union
from union_server_testkit import G1_CARDED, G2_CARDED, PASSWORD, Server, Session, submission_payload, submission_record

OTHER_DISTRICT, OTHER_GRASSROOTS = "813101060000000011", "813101060000000038"
HEADER = ["理赔编号", "证件号码", "姓名", "保障年度", "给付类型", "给付金额", "给付日期"]


def _submit(clerk: Session, members: list[str]) -> str:
    payload = submission_payload(clerk, members)
    [result] = clerk.push(submission_record(clerk, payload))
    assert result["status"] == "ok", result
    return str(payload["batch_no"])


def _other_district(server: Server) -> Session:
    """A second district (静安) with a grassroots union, and its reviewer signed in."""
    with session():
        city = Union.get(Union.level == "city")
        district = accounts.create_union(server.ctx, name="上海市静安区总工会", org_code=OTHER_DISTRICT,
                                         union_type="区总工会", level="district", parent=city)
        accounts.create_union(server.ctx, name="上海静安某某公司工会委员会", org_code=OTHER_GRASSROOTS,
                              union_type="工会委员会", level="grassroots", parent=district)
        accounts.create_user(server.ctx, username="jingan", password=PASSWORD, union=district, role="reviewer")
    return Session(server, "jingan")


def _post(who: Session, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    r = who.post(path, body)
    assert r.status_code == status, r.text
    for number in G1_CARDED + G2_CARDED:
        assert number not in r.text  # only masked numbers ever come back
    return dict(r.json())


def _run_cli(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "server.cli", *args, "--db", server.db_url], env=env,
                          capture_output=True, text=True, timeout=120)


def _csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_enrollment_and_coverage_queries_are_scoped_and_masked(server: Server, clerk: Session,
                                                               clerk2: Session) -> None:
    batch = _submit(clerk, G1_CARDED[:2])
    person = G1_CARDED[0]
    district, secondary = Session(server, "district"), Session(server, "secondary")
    for who in (district, secondary, clerk):
        answer = _post(who, "/query/enrollments", {"id_number": person})
        assert answer["id_masked"] == mask_id(person) and answer["total"] == 1
        [row] = answer["rows"]
        assert (row["batch_no"], row["plan_year"], row["plan_type"], row["kind_label"]) == (
            batch, server.plan_year, "A", "集中参保")
        assert (row["status_label"], row["state_label"], row["name"]) == ("区局确认中", "审核中", "甲0")
        assert row["id_masked"] == mask_id(person) and row["union"]["org_code"] == clerk.org_code
    # Another district, and the other grassroots union of the same secondary, see nothing of them.
    jingan = _other_district(server)
    for who in (jingan, clerk2):
        assert _post(who, "/query/enrollments", {"id_number": person}) == {
            "id_masked": mask_id(person), "total": 0, "rows": []}
        assert _post(who, "/query/coverage", {"id_number": person})["rows"] == []
        refused = _post(who, "/query/coverage", {"batch_no": batch}, status=404)
        assert refused["problem"] == "not_found"

    # 保障信息查询 of the batch: its members' coverage, masked; approved → 待生效 before the year starts.
    with session(), write_tx():
        Submission.update(status="completed").where(Submission.batch_no == batch).execute()
    answer = _post(district, "/query/coverage", {"batch_no": batch})
    assert (answer["total"], answer["status_label"], answer["union"]["org_code"]) == (2, "已完成", clerk.org_code)
    assert sorted(r["id_masked"] for r in answer["rows"]) == sorted(mask_id(n) for n in G1_CARDED[:2])
    first = answer["rows"][0]
    assert (first["coverage_start"], first["coverage_end"]) == (f"{server.plan_year}-01-01", f"{server.plan_year}-12-31")
    assert first["state_label"] == "待生效" and first["card_masked"] and "*" in first["card_masked"]
    # A person's coverage: the same, found by number; a year filter that matches nothing is empty.
    assert _post(clerk, "/query/coverage", {"id_number": person})["rows"][0]["state"] == "pending"
    assert _post(district, "/query/enrollments", {"id_number": person, "plan_year": 2001})["rows"] == []
    # Exactly one of the two, and a number is needed.
    assert _post(district, "/query/coverage", {}, status=422)["problem"] == "validation"
    assert _post(district, "/query/enrollments", {"id_number": "  "}, status=422)["problem"] == "validation"


def test_load_payouts_good_and_bad_files_and_the_scoped_query(server: Server, clerk: Session,
                                                              tmp_path: Path) -> None:
    _submit(clerk, G1_CARDED[:1])
    year = str(server.plan_year)
    bad = _csv(tmp_path / "bad.csv", [
        ["LP1", G1_CARDED[0], "甲0", year, "住院医疗", "1280.5", "2025-03-18"],
        ["LP1", G1_CARDED[1], "甲1", year, "住院医疗", "-3", "2025-02-30"],  # repeated claim, amount, date
        ["LP3", G1_CARDED[0][:17] + ("0" if G1_CARDED[0][17] != "0" else "1"), "甲0", "19", "", "1.234", "2025/3/1"],
        ["LP4", "310101199901019999", "陌生人", year, "住院医疗", "10", "2025-01-02"],  # a wrong check digit
    ])
    done = _run_cli(server, "load-payouts", str(bad))
    assert done.returncode == 2, done.stderr
    for expected in ("第3行 理赔编号：与文件中前面的行重复", "第3行 给付金额：应大于0", "第3行 给付日期：不是有效的日期",
                     "第4行 证件号码：身份证号码校验不通过", "第4行 保障年度：应为2000到2100之间的年份",
                     "第4行 给付类型：不能为空", "第4行 给付金额：最多两位小数", "第4行 给付日期：应为YYYY-MM-DD格式的日期",
                     "第5行 证件号码：身份证号码校验不通过", "给付记录未载入"):
        assert expected in done.stderr, done.stderr
    for number in G1_CARDED:
        assert number not in done.stderr
    with session():
        assert PayoutRecord.select().count() == 0  # one bad row loads nothing
    missing = _run_cli(server, "load-payouts", str(_csv(tmp_path / "cols.csv", [["x"]], header=["证件号码"])))
    assert missing.returncode == 2 and "文件缺少列：理赔编号" in missing.stderr
    stranger = _csv(tmp_path / "stranger.csv", [["LP9", "110101199003070011", "某某", year, "住院医疗", "5", "2025-01-02"]])
    refused = _run_cli(server, "load-payouts", str(stranger))
    assert refused.returncode == 2 and "第2行 证件号码：该人员在" in refused.stderr

    # A good file, as .xlsx: the enrolled person and a member of another union (grassroots2).
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["LP1", G1_CARDED[0], "甲0", int(year), "住院医疗", 1280.5, "2025-03-18"])
    book.active.append(["LP2", G2_CARDED[0], "丙0", int(year), "重大疾病", "20000", "2025-04-01"])
    book.save(tmp_path / "good.xlsx")
    done = _run_cli(server, "load-payouts", str(tmp_path / "good.xlsx"))
    assert done.returncode == 0 and "已载入给付记录 2 条" in done.stdout, done.stderr
    again = _run_cli(server, "load-payouts", str(tmp_path / "good.xlsx"))  # a reload replaces, never doubles
    assert again.returncode == 0
    with session():
        assert PayoutRecord.select().count() == 2

    district = Session(server, "district")
    answer = _post(district, "/query/payouts", {})
    assert (answer["total"], answer["amount"]) == (2, "21280.50")
    assert {r["id_masked"] for r in answer["rows"]} == {mask_id(G1_CARDED[0]), mask_id(G2_CARDED[0])}
    mine = _post(clerk, "/query/payouts", {"plan_year": int(year)})
    assert [(r["claim_no"], r["amount"], r["kind"], r["paid_on"]) for r in mine["rows"]] == [
        ("LP1", "1280.50", "住院医疗", "2025-03-18")]
    assert _post(clerk, "/query/payouts", {"id_number": G2_CARDED[0]})["total"] == 0
    assert _post(_other_district(server), "/query/payouts", {})["total"] == 0
