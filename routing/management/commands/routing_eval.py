"""python manage.py routing_eval --csv ../shared/data/gov_messages.csv
python manage.py routing_eval --train A.csv --test B.csv
python manage.py routing_eval --park xtjk [--target department|category]

Cross-validates or train/test-scores the routing engine and prints the report, ending with one
line of key=value figures (macro_f1=… accuracy=… first)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing import evaluation


class Command(BaseCommand):
    help = "评估智能分派模型：分层 k 折交叉验证（--csv）或训练/测试（--train/--test）"

    def add_arguments(self, parser: CommandParser) -> None:
        evaluation.add_arguments(parser)
        parser.add_argument("--park", help="评估该园区自己的台账（园区代码），而不是 CSV 文件")
        parser.add_argument(
            "--label",
            choices=["category", "department"],
            default="department",
            help="用 --park 时预测的对象：主办部门（默认）或诉求类别",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import argparse

        opts = argparse.Namespace(**options)
        if opts.park:
            self.stdout.write(self._park_report(opts))
            return
        try:
            report = evaluation.run_from_options(opts)
        except (ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report)

    def _park_report(self, opts: Any) -> str:
        from orgs.models import Park
        from routing.engine import RouterParams
        from routing.services import label_texts, training_data

        park = Park.objects.filter(code=opts.park).first()
        if park is None:
            raise CommandError(f"园区“{opts.park}”不存在")
        texts, labels, _ = training_data(park, opts.label)
        if len(texts) < 30 or len(set(labels)) < 2:
            raise CommandError(f"{park.short_name}的台账中可评估的诉求不足（{len(texts)} 条）")
        result = evaluation.cross_validate(
            texts,
            labels,
            folds=opts.folds,
            seed=opts.seed,
            params=RouterParams(target_accuracy=opts.target),
            label_descriptions=label_texts(park, opts.label),
            n_jobs=opts.jobs,
        )
        title = f"routing evaluation: {park.short_name} ledger, {opts.label}"
        return evaluation.format_report(result, title, target=opts.target)
