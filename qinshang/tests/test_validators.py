"""统一社会信用代码 and phone-number checks (plain functions, no database)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qinshang.validators import (
    CREDIT_CODE_CHARSET,
    CREDIT_CODE_WEIGHTS,
    check_credit_code,
    check_phone,
    compute_check_char,
    compute_org_check_char,
    credit_code_warnings,
    describe_credit_code,
    make_credit_code,
    normalize_credit_code,
    normalize_phone,
    phone_kind,
)

# Codes printed on public business licences of well-known companies, plus the worked example of
# GB 32100-2015 itself. Their check characters were verified independently of this module.
PUBLIC_CODES = [
    "91350100M000100Y43",  # example in GB 32100-2015
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000600037341L",  # python-stdnum's doctest example
    "12440300MB2C92173E",  # a 事业单位 (category 12)
]


class TestCheckCharacter:
    def test_weights_are_powers_of_three_mod_31(self):
        assert CREDIT_CODE_WEIGHTS == (
            1,
            3,
            9,
            27,
            19,
            26,
            16,
            17,
            20,
            29,
            25,
            13,
            8,
            24,
            10,
            30,
            28,
        )

    @pytest.mark.parametrize("code", PUBLIC_CODES)
    def test_public_codes_compute_their_own_check_char(self, code):
        assert compute_check_char(code[:17]) == code[17]

    @pytest.mark.parametrize("code", PUBLIC_CODES)
    def test_public_codes_validate(self, code):
        assert check_credit_code(code) is None
        assert check_credit_code(code, strict=True) is None

    def test_sum_divisible_by_31_maps_to_zero(self):
        # 31 - 0 = 31 must wrap to "0", not index past the charset.
        assert compute_check_char("0" * 17) == "0"

    @pytest.mark.parametrize("bad", ["", "9143", "0" * 18])
    def test_compute_rejects_wrong_length(self, bad):
        with pytest.raises(ValueError):
            compute_check_char(bad)

    def test_compute_rejects_characters_outside_charset(self):
        with pytest.raises(ValueError):
            compute_check_char("91430300MA4L1234I")

    def test_embedded_org_code_check(self):
        # 华为: 19220382-1, 腾讯: 71526726-X
        assert compute_org_check_char("19220382") == "1"
        assert compute_org_check_char("71526726") == "X"


class TestCheckCreditCode:
    @pytest.mark.parametrize(
        "code,fragment",
        [
            ("", "请填写"),
            ("   ", "请填写"),
            ("9143030", "长度应为18位，实为7位"),
            ("91430300MA4L1234", "长度应为18位，实为16位"),
            ("91430300MA4L12345X9", "长度应为18位，实为19位"),
        ],
    )
    def test_length(self, code, fragment):
        assert fragment in check_credit_code(code)

    @pytest.mark.parametrize("letter", list("IOZSV"))
    def test_excluded_letters_are_named_with_their_position(self, letter):
        code = "91330100799655058B"
        bad = code[:10] + letter + code[11:]
        msg = check_credit_code(bad)
        assert msg is not None
        assert f"第11位字符“{letter}”不合法" in msg
        assert "I、O、Z、S、V" in msg

    def test_punctuation_is_not_a_valid_character(self):
        assert "第3位字符“!”不合法" in check_credit_code("91!30100799655058B")

    def test_region_must_be_digits(self):
        msg = check_credit_code("91A30100799655058B")
        assert msg is not None and "第3位" in msg and "行政区划码" in msg

    def test_wrong_check_char_names_expected_and_actual(self):
        assert check_credit_code("91330100799655058A") == (
            "校验位应为“B”，实为“A”，请核对代码是否抄错"
        )

    def test_unknown_category_with_bad_checksum_names_position_2(self):
        # 9 (工商) has categories 1, 2, 3 only; the typo also breaks the checksum.
        msg = check_credit_code("97330100799655058B")
        assert msg is not None and msg.startswith("第2位机构类别代码“7”")

    def test_unknown_authority_with_bad_checksum_names_position_1(self):
        msg = check_credit_code("B1330100799655058B")
        assert msg is not None and msg.startswith("第1位登记管理部门代码“B”")

    def test_unlisted_pair_with_correct_checksum_is_accepted_but_flagged(self):
        # Registration authorities add categories (e.g. for 村(居)委会); a code whose checksum is
        # right must not be refused because our table is older than the certificate.
        first17 = "54430302MA4Q0X0N1"
        code = first17 + compute_check_char(first17)
        assert check_credit_code(code) is None
        assert any("第2位" in w for w in credit_code_warnings(code))
        assert check_credit_code(code, strict=True) is not None

    def test_embedded_org_code_mismatch_is_only_a_warning(self):
        first17 = "91430300MA4L12345"  # org code MA4L1234-5, GB 11714 wants 6
        code = first17 + compute_check_char(first17)
        assert check_credit_code(code) is None
        warnings = credit_code_warnings(code)
        assert len(warnings) == 1 and "GB 11714" in warnings[0] and "“6”" in warnings[0]
        assert check_credit_code(code, strict=True) == warnings[0]

    def test_normalisation(self):
        assert normalize_credit_code(" 9133 0100-7996 5505 8b ") == "91330100799655058B"
        full_width = "９１３３０１００７９９６５５０５８ｂ"
        assert normalize_credit_code(full_width) == "91330100799655058B"
        assert check_credit_code(full_width) is None
        assert check_credit_code("91330100799655058b") is None

    def test_describe(self):
        parts = describe_credit_code("914403001922038216")
        assert parts == {
            "code": "914403001922038216",
            "authority": "市场监管（工商）",
            "category": "企业",
            "region": "440300",
            "org_code": "19220382-1",
            "check": "6",
        }
        assert describe_credit_code("914403001922038217") is None


class TestMakeCreditCode:
    def test_deterministic(self):
        assert make_credit_code(random.Random(5)) == make_credit_code(random.Random(5))

    def test_region_and_category(self):
        code = make_credit_code(random.Random(1), region="430371", category="2")
        assert code.startswith("92430371")
        assert check_credit_code(code, strict=True) is None

    def test_rejects_invalid_arguments(self):
        with pytest.raises(ValueError):
            make_credit_code(random.Random(1), authority="9", category="9")
        with pytest.raises(ValueError):
            make_credit_code(random.Random(1), region="4303")

    @settings(max_examples=300, deadline=None)
    @given(st.integers(min_value=0, max_value=2**32))
    def test_every_generated_code_validates_strictly(self, seed):
        assert check_credit_code(make_credit_code(random.Random(seed)), strict=True) is None

    @settings(max_examples=200, deadline=None)
    @given(
        seed=st.integers(min_value=0, max_value=2**32),
        position=st.integers(min_value=0, max_value=17),
        replacement=st.sampled_from(CREDIT_CODE_CHARSET),
    )
    def test_every_single_character_change_is_detected(self, seed, position, replacement):
        code = make_credit_code(random.Random(seed))
        if code[position] == replacement:
            return
        changed = code[:position] + replacement + code[position + 1 :]
        assert check_credit_code(changed) is not None

    def test_single_changes_exhaustively_for_one_public_code(self):
        code = "91330100799655058B"
        for pos in range(18):
            for ch in CREDIT_CODE_CHARSET:
                if ch != code[pos]:
                    assert check_credit_code(code[:pos] + ch + code[pos + 1 :]) is not None


class TestPhone:
    @pytest.mark.parametrize(
        "raw,normal,kind",
        [
            ("13812345678", "13812345678", "mobile"),
            ("138 1234 5678", "13812345678", "mobile"),
            ("138-1234-5678", "13812345678", "mobile"),
            ("+86 138 1234 5678", "13812345678", "mobile"),
            ("+8613812345678", "13812345678", "mobile"),
            ("8613812345678", "13812345678", "mobile"),
            ("008613812345678", "13812345678", "mobile"),
            ("１９９１２３４５６７８", "19912345678", "mobile"),
            ("0731-55512300", "0731-55512300", "landline"),
            ("(0731)55512300", "0731-55512300", "landline"),
            ("（0731）55512300", "0731-55512300", "landline"),
            ("0731 5551 2300", "0731-55512300", "landline"),
            ("0731-5551230", "0731-5551230", "landline"),
            ("010-62345678", "010-62345678", "landline"),
            ("020 87654321", "020-87654321", "landline"),
            ("+86 731 5551 2300", "0731-55512300", "landline"),
            ("0731-55512300-8001", "0731-55512300转8001", "landline"),
            ("0731-55512300转8001", "0731-55512300转8001", "landline"),
            ("0731-55512300 ext. 12", "0731-55512300转12", "landline"),
            ("12345", "12345", "service"),
            ("12315", "12315", "service"),
            ("95588", "95588", "service"),
            ("110", "110", "service"),
            ("400-820-8820", "400-820-8820", "service"),
            ("4008208820", "400-820-8820", "service"),
            ("800 810 8888", "800-810-8888", "service"),
        ],
    )
    def test_valid(self, raw, normal, kind):
        assert check_phone(raw) is None
        assert normalize_phone(raw) == normal
        assert phone_kind(raw) == kind

    @pytest.mark.parametrize(
        "raw,fragment",
        [
            ("", "请填写"),
            ("1381234567", "手机号码应为11位，实为10位"),
            ("138123456789", "手机号码应为11位"),
            ("12812345678", "号段“128”不存在"),
            ("11012345678", "号段“110”不存在"),
            ("0731-555123", "本地号码应为7–8位，实为6位"),
            ("020-8123456", "本地号码应为8位，实为7位"),
            ("0731-05551230", "不能以“0”开头"),
            ("0131-55512300", "区号"),
            ("55512300", "缺少区号"),
            ("abc", "非法字符"),
            ("+1 415 555 0100", "+86"),
            ("400-820-882", "400号码应为10位"),
            ("13812345678转12", "手机号码不能带分机号"),
        ],
    )
    def test_invalid(self, raw, fragment):
        msg = check_phone(raw)
        assert msg is not None and fragment in msg, msg
        assert phone_kind(raw) is None

    def test_invalid_input_is_returned_stripped_not_raised(self):
        assert normalize_phone("  abc ") == "abc"

    def test_default_area_code_completes_local_numbers(self):
        assert check_phone("55512300", default_area_code="0731") is None
        assert normalize_phone("5551 2300", default_area_code="0731") == "0731-55512300"

    @settings(max_examples=200, deadline=None)
    @given(
        prefix=st.sampled_from(["13", "14", "15", "16", "17", "18", "19"]),
        rest=st.text(alphabet="0123456789", min_size=9, max_size=9),
        sep=st.sampled_from(["", " ", "-"]),
    )
    def test_any_mobile_with_separators_round_trips(self, prefix, rest, sep):
        number = prefix + rest
        spaced = sep.join((number[:3], number[3:7], number[7:]))
        assert normalize_phone(spaced) == number
        assert normalize_phone(normalize_phone(spaced)) == number
