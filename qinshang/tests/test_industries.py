"""GB/T 4754-2017 sections and divisions."""

from __future__ import annotations

import pytest

from qinshang import industries as ind


def test_twenty_sections_a_to_t():
    assert [s.code for s in ind.SECTIONS] == list("ABCDEFGHIJKLMNOPQRST")


def test_ninety_seven_divisions_numbered_01_to_97():
    assert len(ind.DIVISIONS) == 97
    assert [code for code, _ in ind.DIVISIONS] == [f"{n:02d}" for n in range(1, 98)]
    assert len(set(ind.DIVISION_NAMES.values())) == 97


def test_sections_partition_the_divisions():
    covered = [n for s in ind.SECTIONS for n in range(s.first, s.last + 1)]
    assert covered == list(range(1, 98))
    assert sum(len(ind.divisions_of(s.code)) for s in ind.SECTIONS) == 97


@pytest.mark.parametrize(
    "code,section,name",
    [
        ("01", "A", "农业"),
        ("05", "A", "农、林、牧、渔专业及辅助性活动"),
        ("06", "B", "煤炭开采和洗选业"),
        ("11", "B", "开采专业及辅助性活动"),
        ("13", "C", "农副食品加工业"),
        ("25", "C", "石油、煤炭及其他燃料加工业"),
        ("35", "C", "专用设备制造业"),
        ("36", "C", "汽车制造业"),
        ("39", "C", "计算机、通信和其他电子设备制造业"),
        ("43", "C", "金属制品、机械和设备修理业"),
        ("44", "D", "电力、热力生产和供应业"),
        ("50", "E", "建筑装饰、装修和其他建筑业"),
        ("58", "G", "多式联运和运输代理业"),
        ("63", "I", "电信、广播电视和卫星传输服务"),
        ("65", "I", "软件和信息技术服务业"),
        ("70", "K", "房地产业"),
        ("79", "N", "土地管理业"),
        ("83", "P", "教育"),
        ("96", "S", "基层群众自治组织及其他组织"),
        ("97", "T", "国际组织"),
    ],
)
def test_known_divisions(code, section, name):
    assert ind.section_of(code) == section
    assert ind.DIVISION_NAMES[code] == name


def test_section_names():
    assert ind.SECTION_NAMES["C"] == "制造业"
    assert ind.SECTION_NAMES["I"] == "信息传输、软件和信息技术服务业"
    assert ind.SECTION_NAMES["D"] == "电力、热力、燃气及水生产和供应业"


def test_section_of_accepts_longer_codes_and_rejects_unknown():
    assert ind.section_of("3982") == "C"
    for bad in ("", "00", "98", "9", "XX"):
        with pytest.raises(KeyError):
            ind.section_of(bad)


def test_label():
    assert ind.label("C") == "C 制造业"
    assert ind.label("39") == "C39 计算机、通信和其他电子设备制造业"
    assert ind.label("i") == "I 信息传输、软件和信息技术服务业"
    with pytest.raises(KeyError):
        ind.label("99")


def test_is_division():
    assert ind.is_division("36")
    assert not ind.is_division("6")
    assert not ind.is_division("C")


def test_choices_are_grouped_by_section():
    groups = ind.choices()
    assert len(groups) == 20
    assert groups[2][0] == "C 制造业"
    assert groups[2][1][0] == ("13", "13 农副食品加工业")
    assert sum(len(options) for _, options in groups) == 97
