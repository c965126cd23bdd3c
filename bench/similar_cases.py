"""Similar-case search over many model cases.

    python -m bench.similar_cases --n 100000 [--database sqlite|postgres]

Creates N resolved requests with work orders and model cases in bulk, their texts assembled
from Chinese and English problem phrases (roads, metro, fire safety, land use, permits ...)
with varying places and numbers; builds the index once (what the Celery task does), then times
20 searches: the ranking alone and the whole selector (ranking + loading the 5 cases).
"""
import argparse
import random
import statistics
import time

from bench._common import peak_rss_mb, print_table, setup_django
from bench._db import base_rows, migrate, use_bench_database

PLACES = ["天春路", "金绍路", "沪太路", "富长路", "蕰川路", "Tianchun Road", "Jinshao Road", "月罗公路", "长江西路", "同济路"]
PROBLEMS = [
    "{place}尚未开通，园区消防出入口不满足要求，影响竣工验收。",
    "地下工程与规划轨道交通{n}号线车站重叠，地下施工许可无法办理。",
    "项目用地需调整用途，规划许可无法核发，涉及{place}沿线地块。",
    "厂房扩建需要临时用电接入，{place}管线迁改未完成。",
    "The {place} entrance is not open, so the fire-safety access fails the completion inspection.",
    "Construction permit blocked: the plot overlaps the planned Metro Line {n} station.",
    "企业申请竣工日期延期{n}个月，原因是{place}配套工程延误。",
    "环评批复与建设内容不一致，需要变更后重新备案。",
]
SUMMARIES = ["设临时出入口，承诺制验收。", "地铁集团评估后两周内办理许可。", "规划部门调整控规后核发许可。",
             "Temporary entrance approved, inspection under commitment.", "协调电力公司先行接入临时用电。"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    label = use_bench_database(args.database)
    setup_django()
    import tempfile

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from workorders.models import ModelCase, ServiceRequest, WorkOrder
    from workorders.selectors import similar_cases
    from workorders.similarity import rebuild_index, similar_case_ids

    settings.DEBUG = False
    settings.CENTER_SIMILARITY_INDEX_PATH = tempfile.NamedTemporaryFile(suffix=".joblib", delete=False).name
    migrate()
    rows = base_rows("sim")
    rng = random.Random(7)
    now = timezone.now()
    started = time.perf_counter()
    for offset in range(0, args.n, 5000):
        size = min(5000, args.n - offset)
        texts = [rng.choice(PROBLEMS).format(place=rng.choice(PLACES), n=rng.randint(1, 24)) for _ in range(size)]
        with transaction.atomic():
            requests = ServiceRequest.objects.bulk_create([
                ServiceRequest(tracking_number=f"SIM{offset + i:012d}", enterprise=rows["enterprise"],
                               project=rows["project"], kind="blocker", title=text[:30], description=text,
                               status="resolved") for i, text in enumerate(texts)])
            orders = WorkOrder.objects.bulk_create([
                WorkOrder(request=r, problem=r.description, lead_department=rows["department"], issued_at=now,
                          status="resolved") for r in requests])
            ModelCase.objects.bulk_create([
                ModelCase(work_order=o, title=o.problem[:40], summary=rng.choice(SUMMARIES)) for o in orders])
    print(f"{label}: {args.n:,} model cases seeded in {time.perf_counter() - started:.1f} s")
    begin = time.perf_counter()
    rebuild_index()
    build = time.perf_counter() - begin
    queries = ["规划出入口所在的富长路尚未开通，消防出入口不够，无法竣工验收",
               "our plot overlaps the planned metro station; the permit is blocked",
               "需要延期竣工，配套道路工程延误"]
    probe = ServiceRequest(title="富长路未开通", description=queries[0])
    rank_ms, selector_ms = [], []
    similar_case_ids(queries[0])  # loads the index file once, as a web process does
    for i in range(20):
        t = time.perf_counter()
        similar_case_ids(queries[i % 3])
        rank_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        similar_cases(probe)
        selector_ms.append((time.perf_counter() - t) * 1000)
    print_table([{"N": f"{args.n:,}", "index build s": f"{build:.1f}",
                  "ranking median ms": f"{statistics.median(rank_ms):.1f}",
                  "selector median ms": f"{statistics.median(selector_ms):.1f}",
                  "max ms": f"{max(selector_ms):.1f}", "peak RSS MB": f"{peak_rss_mb():.0f}"}])


if __name__ == "__main__":
    main()
