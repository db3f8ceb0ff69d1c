"""The intake assistant's reading of free text (routing.extract): no database."""

import datetime as dt
from decimal import Decimal

import pytest

from routing.extract import Registered, cn_number, extract, short_names

TODAY = dt.date(2026, 3, 4)  # a Wednesday
REG = [
    Registered(1, "湘潭华盛精工机械有限公司", "91430300MA4T9X2K7Q"),
    Registered(2, "湖南博创新材料科技股份有限公司", "914303007XK5L3B21M"),
    Registered(3, "湘潭华盛物流有限公司", ""),
]


def test_short_names_drop_region_suffix_and_trade_words():
    assert short_names("湖南博创新材料科技股份有限公司") == ["博创新材料科技", "博创新材料", "博创"]
    assert "华盛精工" in short_names("湘潭华盛精工机械有限公司")


@pytest.mark.parametrize(
    "text,expected_id,how",
    [
        ("湘潭华盛精工机械有限公司反映用电问题", 1, "全称"),
        ("博创新材料来电，厂房漏水", 2, "简称"),
        ("统一社会信用代码91430300MA4T9X2K7Q的企业咨询", 1, "统一社会信用代码"),
        ("华盛物流的车辆进不了园区", 3, "简称"),
    ],
)
def test_enterprise_by_full_name_short_name_or_credit_code(text, expected_id, how):
    found = extract(text, TODAY, REG).enterprise
    assert found is not None and found.id == expected_id and found.how == how


def test_a_hotline_note_with_every_field():
    note = (
        "来电人：刘芳，华盛精工财务主管，手机 139-0732-1188，办公室电话(0731)58213366转802。"
        "企业位于湘潭经开区白石东路18号2栋，申请技改贴息，项目总投资1.5亿元，已到位资金三千万，"
        "希望下周一前答复，贷款须在3月20日前放款。"
    )
    e = extract(note, TODAY, REG)
    assert e.enterprise is not None and e.enterprise.id == 1
    assert e.contact_name == "刘芳"
    assert e.mobiles == ["13907321188"]
    assert e.landlines == ["0731-58213366-802"]
    assert e.address.startswith("湘潭经开区白石东路18号")
    assert [(a.value, a.unit) for a in e.amounts] == [
        (Decimal("1.5"), "亿元"),
        (Decimal(3000), "万元"),
    ]
    assert e.amounts[0].wan == Decimal("15000.0")
    assert [(d.date, d.deadline) for d in e.dates] == [
        (dt.date(2026, 3, 9), True),
        (dt.date(2026, 3, 20), True),
    ]
    assert e.deadline is not None and e.deadline.date == dt.date(2026, 3, 9)


@pytest.mark.parametrize(
    "phrase,day,limit",
    [
        ("今天", dt.date(2026, 3, 4), False),
        ("明天", dt.date(2026, 3, 5), False),
        ("后天之前", dt.date(2026, 3, 6), True),
        ("下周一", dt.date(2026, 3, 9), False),
        ("本周五前", dt.date(2026, 3, 6), True),
        ("周一", dt.date(2026, 3, 9), False),  # the coming Monday
        ("3月5日前", dt.date(2026, 3, 5), True),
        ("月底", dt.date(2026, 3, 31), True),
        ("下月底", dt.date(2026, 4, 30), True),
        ("年底前", dt.date(2026, 12, 31), True),
        ("5月底", dt.date(2026, 5, 31), True),
        ("1月10日", dt.date(2026, 1, 10), False),  # a recent past day stays in this year
        ("2026-04-15", dt.date(2026, 4, 15), False),
        ("10天内", dt.date(2026, 3, 14), True),
        ("15号前", dt.date(2026, 3, 15), True),
        ("截止4月1日", dt.date(2026, 4, 1), True),
    ],
)
def test_dates_relative_to_the_given_day(phrase, day, limit):
    dates = extract(f"请{phrase}办理", TODAY).dates
    assert [(d.date, d.deadline) for d in dates] == [(day, limit)]


def test_a_day_long_past_is_next_years():
    (d,) = extract("1月10日前交材料", dt.date(2026, 11, 20)).dates
    assert d.date == dt.date(2027, 1, 10)


def test_working_days_use_the_calendar_given():
    def add_working_days(start, n):
        return start + dt.timedelta(days=100 + n)

    (d,) = extract("3个工作日内回复", TODAY, add_working_days=add_working_days).dates
    assert d.date == TODAY + dt.timedelta(days=103) and d.deadline


def test_amounts_are_money_only():
    e = extract("新建厂房2万平方米，用地50亩，投资8000万，补贴20万元，罚款500元", TODAY)
    assert [(a.value, a.unit) for a in e.amounts] == [
        (Decimal(8000), "万元"),
        (Decimal(20), "万元"),
        (Decimal(500), "元"),
    ]


def test_a_message_with_nothing_to_extract():
    e = extract("你好，想咨询一下政策方面的问题，麻烦回个电话。谢谢！", TODAY, REG)
    assert e.is_empty()
    assert e.enterprise is None and e.contact_name == "" and e.phone == ""
    assert extract("", TODAY, REG).is_empty()


def test_numbers_that_are_no_phone():
    e = extract("订单号 20260304123456789，编号 A12345", TODAY)
    assert e.mobiles == [] and e.landlines == []


def test_cn_number():
    assert [cn_number(s) for s in ("三", "十五", "一百二十", "两千", "25", "x")] == [
        3,
        15,
        120,
        2000,
        25,
        None,
    ]
