"""统一社会信用代码 as registry exports give them: what is normalised (full-width, lower case,
spaces and dashes inside, placeholders read as no code) and what is refused with a Chinese
message (I O Z S V, a wrong check character, a 15-digit 注册号, a 9-character 组织机构代码, two
codes in a cell). Vectors are built from GB 32100 / GB 11714 with the module's own check
functions, which the existing suite checks against published codes."""

from __future__ import annotations

import pytest

from qinshang.validators import (
    check_credit_code,
    compute_check_char,
    compute_org_check_char,
    credit_code_fixes,
    is_placeholder,
    normalize_credit_code,
)

# 9 工商 · 1 企业 · 430300 湘潭市 · organisation code MA4L0B3K + its GB 11714 check
ORG8 = "MA4L0B3K"
BODY = "91430300" + ORG8 + compute_org_check_char(ORG8)
CODE = BODY + compute_check_char(BODY)
ORG8_B = "18500172"
BODY_B = "91430300" + ORG8_B + compute_org_check_char(ORG8_B)
CODE_B = BODY_B + compute_check_char(BODY_B)
FULL = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def test_the_vectors_are_valid():
    assert check_credit_code(CODE, strict=True) is None
    assert check_credit_code(CODE_B, strict=True) is None


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        (CODE.translate(FULL), "全角字符已转为半角"),
        (CODE.lower(), "小写字母已转为大写"),
        (f"{CODE[:6]} {CODE[6:12]} {CODE[12:]}", "已去除空格、连字符等分隔符"),
        (f"{CODE[:8]}-{CODE[8:17]}-{CODE[17]}", "已去除空格、连字符等分隔符"),
        (f"  {CODE}\t", "已去除空格、连字符等分隔符"),
        (CODE.lower().translate(FULL), "全角字符已转为半角"),
    ],
)
def test_what_can_be_normalised_is_and_the_fix_is_named(raw, note):
    assert check_credit_code(raw) is None
    assert normalize_credit_code(raw) == CODE
    assert note in credit_code_fixes(raw)


def test_a_clean_code_reports_no_fix():
    assert credit_code_fixes(CODE) == []


@pytest.mark.parametrize(
    "raw", ["", "  ", "无", "暂无", "N/A", "n/a", "Ｎ／Ａ", "-", "—", "/", "NULL"]
)
def test_placeholders_are_no_code_and_refused_where_a_code_is_required(raw):
    assert is_placeholder(raw)
    assert normalize_credit_code(raw) == ""
    assert check_credit_code(raw).startswith("请填写统一社会信用代码")


@pytest.mark.parametrize(
    ("letter", "hint"), [("I", "1"), ("O", "0"), ("Z", "2"), ("S", "5"), ("V", "U")]
)
def test_the_five_letters_never_used_are_refused_with_the_lookalike(letter, hint):
    bad = CODE[:10] + letter + CODE[11:]
    message = check_credit_code(bad)
    assert message is not None and f"第11位字符“{letter}”不合法" in message and hint in message


def test_a_wrong_check_character_is_never_accepted():
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != CODE[17])
    message = check_credit_code(CODE[:17] + wrong)
    assert message == f"校验位应为“{CODE[17]}”，实为“{wrong}”，请核对代码是否抄错"
    # normalising never repairs a check character
    assert check_credit_code((CODE[:17] + wrong).lower()) == message


def test_a_fifteen_digit_registration_number_is_named_as_such():
    assert "15位旧版工商注册号" in check_credit_code("430300000012345")
    assert "15位旧版工商注册号" in check_credit_code("4303 0000 0012 345")


def test_a_nine_character_organisation_code_is_named_as_such():
    org = ORG8 + compute_org_check_char(ORG8)
    assert "9位组织机构代码" in check_credit_code(org)
    assert "9位组织机构代码" in check_credit_code(f"{ORG8}-{org[8]}")
    # nine characters that are no organisation code get the plain length message
    bad_check = ORG8 + ("0" if org[8] != "0" else "1")
    assert check_credit_code(bad_check) == "统一社会信用代码长度应为18位，实为9位"


@pytest.mark.parametrize("sep", ["；", ";", "，", ",", "、", "\n", " ", " / "])
def test_two_codes_in_one_cell_are_refused(sep):
    assert "多个统一社会信用代码" in check_credit_code(CODE + sep + CODE_B)


def test_a_bad_row_in_the_entity_import_changes_nothing(world):  # type: ignore[no-untyped-def]
    from entities.models import MarketEntity
    from entities.services import EntityInput, create_entity
    from qinshang.errors import InvalidInput

    before = MarketEntity.objects.count()
    wrong = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    for raw, message in (
        ("430300000012345", "15位旧版工商注册号"),
        (CODE + "；" + CODE_B, "多个统一社会信用代码"),
        (wrong, "校验位应为"),
    ):
        with pytest.raises(InvalidInput) as exc:
            create_entity(
                world.users["dispatcher"],
                world.park,
                EntityInput(name="湘潭测试机械有限公司", kind="above_scale", credit_code=raw),
            )
        assert message in exc.value.message
    assert MarketEntity.objects.count() == before
    e = create_entity(
        world.users["dispatcher"],
        world.park,
        EntityInput(
            name="湘潭测试机械有限公司",
            kind="above_scale",
            credit_code=CODE.lower().translate(FULL),
        ),
    )
    assert e.credit_code == CODE
