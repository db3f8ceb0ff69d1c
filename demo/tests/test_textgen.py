"""Demo data generators: determinism, catalogue integrity, text variety (no database)."""

from __future__ import annotations

import collections
import datetime as dt
import random
import re
import subprocess
import sys

import pytest

from demo import textgen as tg
from qinshang.industries import DIVISION_NAMES
from qinshang.validators import check_credit_code, check_phone


class TestDepartments:
    def test_exactly_27_with_dispatch_centre_first(self):
        assert len(tg.DEPARTMENTS) == 27
        assert tg.DEPARTMENTS[0].name == "优化营商环境协调事务中心"
        assert tg.DISPATCH_CENTRE.kind == "dispatch"
        assert [d.kind for d in tg.DEPARTMENTS].count("dispatch") == 1

    def test_codes_and_names_unique_and_slug_like(self):
        assert len(tg.DEPARTMENT_BY_CODE) == 27
        assert len(tg.DEPARTMENT_BY_NAME) == 27
        for d in tg.DEPARTMENTS:
            assert re.fullmatch(r"[a-z][a-z0-9-]{1,29}", d.code), d.code
            assert d.duty and d.full_name

    def test_every_street_is_a_territorial_department(self):
        for street in tg.STREETS:
            assert tg.DEPARTMENT_BY_NAME[street].kind == "territorial"


class TestCatalogue:
    def test_shape(self):
        assert len(tg.CATALOGUE) >= 18
        for cat in tg.CATALOGUE:
            assert 2 <= len(cat.children) <= 5, cat.code
            for sub in cat.children:
                assert sub.code.startswith(cat.code + "-")
                assert len(sub.code) <= 40 and re.fullmatch(r"[a-z-]+", sub.code)
                assert sub.days in (3, 5, 10, 15, 20)
        codes = [s.code for c in tg.CATALOGUE for s in c.children]
        assert len(codes) == len(set(codes)) == len(tg.SUBCATEGORIES)

    def test_every_lead_and_co_department_exists(self):
        for sub in tg.SUBCATEGORIES.values():
            assert sub.lead in tg.DEPARTMENT_BY_NAME, sub
            for co in sub.co:
                assert co in tg.DEPARTMENT_BY_NAME, sub
                assert co != sub.lead

    def test_seed_categories_are_present(self):
        names = {c.name for c in tg.CATALOGUE}
        for name in (
            "融资困难",
            "用地需求",
            "培训指导",
            "市场拓展",
            "基础设施建设",
            "惠企政策",
            "人才用工",
            "安全环保",
            "审批服务",
            "水电气保障",
            "子女就学",
            "交通出行",
            "研发创新",
            "外贸提升",
            "减税降费",
            "要素保障",
            "党建",
            # 我为群众办实事: the ledger's five classes
            "企业难题",
            "群众忧愁",
            "基层服务",
            "乡村振兴",
            "志愿服务微心愿",
        ):
            assert name in names

    def test_route_adds_the_street_for_territorial_categories(self):
        lead, co = tg.route("residents-sanitation", "和平街道办事处")
        assert lead == "城市管理和综合执法局" and co == ("和平街道办事处",)
        assert tg.route("financing-loan", "和平街道办事处") == ("金融服务中心", ())

    def test_parent_of(self):
        assert tg.parent_of("financing-loan").name == "融资困难"
        assert tg.parent_of("financing").name == "融资困难"
        with pytest.raises(KeyError):
            tg.parent_of("nope")

    def test_random_category_respects_audience_and_kind(self):
        rng = random.Random(1)
        for _ in range(200):
            assert tg.parent_of(tg.random_category(rng, for_residents=True)).for_residents
            code = tg.random_category(rng, kind="shop")
            assert code in tg.categories_for("shop")
        assert "schooling-enrol" not in tg.categories_for("project")
        assert "land-supply" not in tg.categories_for("shop")
        for kind in tg.ENTITY_KINDS:
            assert tg.categories_for(kind), kind


class TestEntities:
    @pytest.mark.parametrize("kind", tg.ENTITY_KINDS)
    def test_same_seed_same_entity(self, kind):
        assert tg.make_entity(random.Random(9), kind) == tg.make_entity(random.Random(9), kind)

    def test_entities_are_consistent(self):
        ents = tg.make_entities(random.Random(3))
        assert len(ents) == 1200
        names = [e.name for e in ents]
        assert len(set(names)) == len(names)
        codes = [e.credit_code for e in ents if e.credit_code]
        assert len(set(codes)) == len(codes)
        for e in ents:
            assert e.industry in DIVISION_NAMES, e
            if e.credit_code:
                assert check_credit_code(e.credit_code, strict=True) is None, e
            assert check_phone(e.phone) is None, e
            assert e.street in tg.STREETS and e.community in tg.STREETS[e.street]
            if e.kind == "shop":
                assert not e.credit_code or e.credit_code.startswith("92")
            if e.kind == "project":
                assert e.credit_code == "" and e.name.endswith("项目")
            if e.kind in ("above_scale", "below_scale"):
                assert e.credit_code.startswith("91")
                assert e.name.endswith(("有限公司", "有限责任公司"))

    def test_names_match_industries(self):
        rng = random.Random(4)
        for _ in range(300):
            e = tg.make_enterprise(rng)
            if "医疗" in e.name:
                assert e.industry == "35"
            if "汽车" in e.name:
                assert e.industry == "36"
            if "软件" in e.name:
                assert e.industry == "65"

    def test_person_names(self):
        rng = random.Random(5)
        names = [tg.person_name(rng) for _ in range(2000)]
        assert all(2 <= len(n) <= 4 for n in names)
        surnames = collections.Counter(n[0] for n in names)
        # 刘/李/陈 lead in Hunan; rare surnames stay rare.
        assert surnames.most_common(3)[0][1] > 80
        assert len(set(names)) > 1200

    def test_residents_and_communities(self):
        rng = random.Random(6)
        for _ in range(100):
            r = tg.make_resident(rng)
            assert r.is_person and r.community in r.address
            c = tg.make_community(rng)
            assert c.name.startswith(c.community) and c.name.endswith("委员会")

    def test_impossible_uniqueness_raises_instead_of_looping(self):
        with pytest.raises(ValueError):
            tg.make_entities(random.Random(1), {"community": 100})


class TestTemplates:
    def test_every_slot_has_a_maker(self):
        assert tg.template_slots() - set(tg._SLOT_MAKERS) == set()

    def test_every_category_has_scenarios_with_titles_problems_requests(self):
        for code, scenarios in tg._SCENARIOS.items():
            assert len(scenarios) >= 2, code
            for sc in scenarios:
                assert sc.titles and sc.problems and sc.requests, (code, sc)
                assert set(sc.kinds) <= {"company", "shop", "project", "resident", "community"}

    def test_every_template_renders_for_every_kind_it_claims(self):
        rng = random.Random(11)
        makers = {
            "company": tg.make_enterprise,
            "shop": tg.make_shop,
            "project": tg.make_project,
            "resident": tg.make_resident,
            "community": tg.make_community,
        }
        for scenarios in tg._SCENARIOS.values():
            for sc in scenarios:
                for kind in sc.kinds:
                    slots = tg._Slots(rng, makers[kind](rng), dt.date(2024, 6, 3))
                    for text in (*sc.titles, *sc.problems, *sc.requests):
                        out = tg._render(rng, text, slots)
                        assert "{" not in out and "[" not in out and out.strip()


class TestDemandText:
    def test_same_seed_same_output(self):
        def run(seed: int) -> list[tuple[str, str]]:
            rng = random.Random(seed)
            ents = tg.make_entities(rng, {"below_scale": 20, "shop": 5, "resident": 10})
            out = []
            for e in ents:
                code = tg.random_category(rng, kind=e.kind)
                out.append(tg.demand_text(rng, code, e, today=dt.date(2024, 3, 1)))
                out.append((tg.answer_text(rng, code, "solved", e), ""))
            return out

        assert run(1) == run(1)
        assert run(1) != run(2)

    def test_duplicate_title_rate_below_five_percent(self):
        rng = random.Random(2024)
        ents = tg.make_entities(
            rng,
            {"above_scale": 226, "below_scale": 520, "shop": 380, "project": 74, "resident": 300},
        )
        titles = []
        for _ in range(1500):
            e = rng.choice(ents)
            titles.append(tg.demand_text(rng, tg.random_category(rng, kind=e.kind), e)[0])
        dupes = len(titles) - len(set(titles))
        assert dupes / len(titles) < 0.05, collections.Counter(titles).most_common(5)

    def test_duplicate_title_rate_also_low_for_the_plain_audience_draw(self):
        # The seeding command draws by audience only; texts must still vary.
        rng = random.Random(7)
        titles = []
        for _ in range(1500):
            code = tg.random_category(rng)
            titles.append(tg.demand_text(rng, code)[0])
        assert (len(titles) - len(set(titles))) / len(titles) < 0.05

    def test_text_mentions_the_requester_and_fits_its_kind(self):
        rng = random.Random(8)
        for _ in range(200):
            shop = tg.make_shop(rng)
            title, text = tg.demand_text(rng, tg.random_category(rng, kind="shop"), shop)
            assert "公司" not in title and "厂区" not in text.replace(shop.name, "")
        e = tg.make_enterprise(rng)
        title, text = tg.demand_text(rng, "financing-loan", e)
        assert e.short_name in title or e.short_name in text or e.name in text

    def test_dates_follow_today(self):
        rng = random.Random(3)
        today = dt.date(2024, 1, 10)
        for _ in range(100):
            _, text = tg.demand_text(rng, "utilities-outage", tg.make_enterprise(rng), today=today)
            for m, d in re.findall(r"(\d+)月(\d+)日", text):
                when = dt.date(2024 if int(m) == 1 else 2023, int(m), int(d))
                assert dt.timedelta(0) < today - when <= dt.timedelta(days=45)

    def test_months_ahead_and_behind_follow_today(self):
        rng = random.Random(4)
        slots = tg._Slots(rng, tg.make_enterprise(rng), dt.date(2024, 11, 20))
        ahead = {
            tg._render(rng, "{month}", tg._Slots(rng, slots.entity, slots.today))
            for _ in range(100)
        }
        behind = {
            tg._render(rng, "{past_month}", tg._Slots(rng, slots.entity, slots.today))
            for _ in range(100)
        }
        assert ahead <= {"12月", "1月", "2月", "3月"}
        assert behind <= {"10月", "9月", "8月", "7月", "6月"}

    def test_unknown_category(self):
        with pytest.raises(KeyError):
            tg.demand_text(random.Random(1), "financing")


class TestOtherTexts:
    @pytest.mark.parametrize("outcome", [*tg.OUTCOMES, *tg.OUTCOMES.values()])
    def test_answer_for_every_category_and_outcome(self, outcome):
        rng = random.Random(12)
        for code in tg.SUBCATEGORIES:
            text = tg.answer_text(rng, code, outcome, today=dt.date(2024, 5, 6))
            assert text and "{" not in text

    def test_answer_uses_category_specific_wording(self):
        rng = random.Random(13)
        texts = [tg.answer_text(rng, "utilities-power", "solved") for _ in range(50)]
        assert any("千伏安" in t for t in texts)
        assert not any("供水" in t and "千伏安" in t for t in texts)

    def test_unknown_outcome(self):
        with pytest.raises(KeyError):
            tg.answer_text(random.Random(1), "financing-loan", "maybe")

    @pytest.mark.parametrize("reason", [*tg.RETURN_REASONS, "职能不符"])
    def test_return_reasons(self, reason):
        rng = random.Random(14)
        for code in ("livelihood-road", "land-supply", None):
            text = tg.return_reason_text(rng, reason, code)
            assert text and "{" not in text

    def test_an_extension_reason_asks_for_the_days_requested(self):
        rng = random.Random(17)
        for code in tg.SUBCATEGORIES:
            for days in (2, 7):
                text = tg.extension_reason_text(rng, code, days=days)
                said = re.findall(r"(\d+)个工作日", text)
                assert said and all(int(n) == days for n in said), text

    def test_return_suggests_a_different_department(self):
        rng = random.Random(15)
        for _ in range(50):
            text = tg.return_reason_text(rng, "not_our_duty", "safety-eia")
            assert "应由生态环境分局主办" not in text and "改派生态环境分局" not in text

    def test_extension_visit_rating_urge(self):
        rng = random.Random(16)
        for code in tg.SUBCATEGORIES:
            assert tg.extension_reason_text(rng, code)
        for kind in tg.ENTITY_KINDS:
            note = tg.visit_note_text(rng, tg.make_entity(rng, kind), liaison="张三")
            assert note and "{" not in note
        for sat in (*tg.SATISFACTIONS, "满意"):
            assert isinstance(tg.rating_comment(rng, sat), str)
        assert "5个工作日" in "".join(
            tg.urge_text(rng, "财政局", overdue_days=5) for _ in range(30)
        )


def test_import_is_fast_and_django_free():
    code = (
        # CPU time, not wall time: a loaded machine must not fail the test.
        "import sys, time; t = time.process_time(); import demo.textgen; "
        "d = time.process_time() - t; "
        "assert 'django' not in sys.modules, 'textgen must not import Django'; print(d)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert float(out) < 1.0  # about 0.1 s (the data files take 0.05 s to read)


class TestDataFiles:
    """The tables and texts live in demo/data/*.toml; a slip in an edit fails here."""

    def test_every_data_file_parses_and_is_documented(self):
        import tomllib

        readme = (tg.DATA / "README.md").read_text(encoding="utf-8")
        files = sorted(tg.DATA.glob("*.toml"))
        assert len(files) >= 8
        for f in files:
            with f.open("rb") as fh:
                assert tomllib.load(fh), f.name
            assert f"`{f.name}`" in readme, f.name

    def test_answers_name_real_categories_outcomes_and_suffixes(self):
        for code, by_outcome in tg._ANSWERS.items():
            assert code == "generic" or code in {c.code for c in tg.CATALOGUE}, code
            assert set(by_outcome) <= set(tg.OUTCOMES), code
            suffixes = (
                {s.code.split("-", 1)[1] for s in tg.parent_of(code).children}
                if code != "generic"
                else set()
            )
            for replies in by_outcome.values():
                for r in replies:
                    assert set(r.only) <= suffixes, (code, r)
        assert set(tg._ANSWERS["generic"]) == set(tg.OUTCOMES)

    def test_scenarios_only_for_known_categories(self):
        assert set(tg._DEMANDS["scenario"]) == set(tg.SUBCATEGORIES)
