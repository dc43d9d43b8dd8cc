"""A 案号 decoded to its court (法〔2015〕137号: province, then the division code of the city or district)."""

from __future__ import annotations

import pytest

from ui.facts import case_line
from yuqi.analysis.casenum import court_match, court_of, decode


@pytest.mark.parametrize("raw, court", [
    ("（2025）粤0304民初12345号", "深圳市福田区人民法院"),
    ("（2024）京0105民初1号", "北京市朝阳区人民法院"),
    ("（2022）粤03民终9号", "深圳市中级人民法院"),
    ("（2023）京01民终5号", "北京市第一中级人民法院"),
    ("（2021）粤民终1号", "广东省高级人民法院"),
    ("（2023）最高法民终12号", "最高人民法院"),
    ("（2023）浙0192民初81号", "杭州互联网法院"),
    ("（2023）沪74民初3号", "上海金融法院"),
    ("（2024）冀0102执123号", "石家庄市长安区人民法院"),
])
def test_the_case_number_names_its_court(raw, court):
    assert court_of(decode(raw)) == court


def test_an_unknown_district_code_is_said_plainly():
    name = court_of(decode("（2024）粤0350民初3号"))
    assert name.startswith("广东省代码0350的基层法院") and "没有这个代码" in name


@pytest.mark.parametrize("text, verdict", [
    ("【最高人民法院】您的案件（2025）粤0304民初12345号已立案", "different"),
    ("深圳市福田区人民法院通知：（2025）粤0304民初12345号", "same"),
    ("福田法院提醒您，案号（2025）粤0304民初12345号", "same"),
    ("【深圳市中级人民法院】（2025）粤0304民初12345号", "different"),
    ("您的案件（2025）粤0304民初12345号已立案", "unnamed"),
])
def test_the_court_the_message_names_is_checked_against_the_case_number(text, verdict):
    court, match, _ = court_match(decode("（2025）粤0304民初12345号"), text)
    assert court == "深圳市福田区人民法院" and match == verdict


def test_the_facts_view_names_the_court_not_just_its_level():
    line = case_line(decode("（2025）粤0304民初12345号"))
    assert "深圳市福田区人民法院" in line and "民事一审" in line
