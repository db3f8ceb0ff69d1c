import time

from routing.textnorm import PH_MASK, PH_PHONE, PH_URL, normalize, words


def test_html_entities_tags_and_whitespace():
    raw = "\n\t\t<p>您好&amp;nbsp;！A市<b>噪音</b>扰民</p>\u3000\u00a0问题\n\t\t"
    assert normalize(raw) == "您好 !A市噪音扰民 问题"


def test_book_title_marks_are_not_tags():
    assert normalize("依据<<劳动合同法>>第三条") == "依据<<劳动合同法>>第三条"


def test_personal_data_is_masked():
    out = normalize(
        "电话13812345678，证号：*****************，网址https://x.cn/a?b=1 日期0000-00000000"
    )
    assert "13812345678" not in out and PH_PHONE in out
    assert "*" not in out and PH_MASK in out
    assert PH_URL in out and "x.cn" not in out


def test_excel_escapes_and_nfkc():
    assert normalize("第一行_x000D_第二行ＡＢＣ１２３") == "第一行 第二行ABC123"


def test_staff_note_dropped_only_when_marked():
    text = "园区道路积水严重，希望尽快处理。\n【工作人员备注】已转城管局办理"
    assert normalize(text) == "园区道路积水严重,希望尽快处理。"
    inline = "我想备注一下：道路积水严重，希望尽快处理"
    assert normalize(inline) == "我想备注一下:道路积水严重,希望尽快处理"


def test_odd_inputs():
    assert normalize(None) == ""
    assert normalize(123) == "123"
    assert len(normalize("字" * 100000)) <= 8000
    # A long run of letters must not make the e-mail pattern backtrack quadratically.
    t0 = time.perf_counter()
    assert normalize("a" * 50000 + "@") == "a" * 8000
    assert time.perf_counter() - t0 < 1.0


def test_words_keep_placeholders_whole():
    toks = words(normalize("请拨打13812345678联系园区管委会"))
    assert PH_PHONE in toks
    assert "管委会" in toks or "园区" in toks
