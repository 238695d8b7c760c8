"""Writes realistic briefings of a chosen length, for the benchmark.

    .venv/bin/python bench/generate.py OUT_DIR --sections N [--seed S]

Each section has Japanese prose with citations, a captioned table, a list
(nested), and every third section a figure (a PNG bar chart drawn with
Pillow). The Markdown uses no Jinja, so that Pandoc reads the same files.
A section is about one and a half A4 pages.
"""

from __future__ import annotations

import argparse
import io
import random
from pathlib import Path

from PIL import Image, ImageDraw

SUBJECTS = ["行政手続のオンライン化", "自治体情報システムの標準化", "デジタル人材の育成",
            "窓口業務の見直し", "データ連携基盤の整備", "電子申請の利用促進",
            "庁内ネットワークの更新", "職員研修の充実", "住民サービスの改善"]
CLAUSES = ["{s}については、各府省と地方公共団体が連携して取り組む必要がある",
           "{s}の進捗は団体によって差が大きく、小規模な団体ほど人員の確保が課題となっている",
           "先行する団体の事例では、{s}により処理期間が短縮されたと報告されている",
           "{s}を進めるうえでは、利用者の視点に立った業務の見直しが前提となる",
           "国は{s}に関する指針を示し、団体ごとの計画づくりを支援している",
           "{s}の効果を測るため、利用件数と処理時間を継続して把握することが望ましい",
           "一方で、{s}に伴う費用の負担については、なお検討の余地がある"]
PREFECTURES = ["北海道", "宮城県", "東京都", "愛知県", "大阪府", "広島県", "香川県", "福岡県",
               "沖縄県", "長野県", "新潟県", "石川県"]


def sentence(rng: random.Random, refs: int) -> str:
    text = rng.choice(CLAUSES).format(s=rng.choice(SUBJECTS))
    cite = f"[@ref-{rng.randrange(refs) + 1}]" if rng.random() < 0.4 else ""
    return text + cite + "。"


def paragraph(rng: random.Random, refs: int) -> str:
    return "".join(sentence(rng, refs) for _ in range(rng.randint(3, 6)))


def table(rng: random.Random, number: int) -> str:
    rows = [f"| {pref} | {rng.randint(100, 9000):,} | {rng.randint(50, 5000):,} | "
            f"{rng.uniform(10, 95):.1f}% |" for pref in rng.sample(PREFECTURES, 8)]
    return "\n".join([f"Table: 申請件数の内訳（{number}）[@ref-1]", "",
                      "| 団体 | 電子申請（件） | 紙の申請（件） | 電子化率 |",
                      "|:--|--:|--:|--:|", *rows])


def bullet_list(rng: random.Random, refs: int) -> str:
    items = []
    for _ in range(rng.randint(3, 5)):
        items.append(f"- {rng.choice(SUBJECTS)}に関する取組を整理する")
        if rng.random() < 0.4:
            items.append(f"    - {sentence(rng, refs)}")
    return "\n".join(items)


def chart_png(rng: random.Random) -> bytes:
    image = Image.new("RGB", (600, 300), "white")
    draw = ImageDraw.Draw(image)
    for i in range(8):
        height = rng.randint(20, 260)
        draw.rectangle([30 + i * 70, 290 - height, 80 + i * 70, 290], fill=(40, 90, 160))
    draw.line([20, 290, 590, 290], fill="black", width=2)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def section(rng: random.Random, number: int, refs: int) -> str:
    subject = SUBJECTS[number % len(SUBJECTS)]
    parts = [f"# {subject}（その{number}）", "", paragraph(rng, refs), "",
             f"## 現状と課題", "", paragraph(rng, refs), "", paragraph(rng, refs), "",
             table(rng, number), "", f"## 今後の方向性", "", paragraph(rng, refs), "",
             bullet_list(rng, refs), "", paragraph(rng, refs)]
    if number % 3 == 0:
        parts += ["", f"![{subject}の推移（その{number}）](figures/chart-{number}.png)"]
    return "\n".join(parts) + "\n"


def generate(root: Path, sections: int, seed: int = 1) -> Path:
    """Writes a report of the given number of sections into root and returns root."""
    rng = random.Random(seed)
    refs = max(3, sections // 2)
    (root / "figures").mkdir(parents=True, exist_ok=True)
    names = []
    for number in range(1, sections + 1):
        name = f"{number:03d}.md"
        (root / name).write_text(section(rng, number, refs), encoding="utf-8")
        if number % 3 == 0:
            (root / "figures" / f"chart-{number}.png").write_bytes(chart_png(rng))
        names.append(name)
    (root / "references.yaml").write_text("".join(
        f"- id: ref-{n}\n  type: report\n  title: 行政のデジタル化に関する調査報告 第{n}号\n"
        f"  publisher: 試験庁\n  issued: 2025-{n % 12 + 1:02d}\n  nocite: true\n"
        for n in range(1, refs + 1)), encoding="utf-8")
    listed = "".join(f"  - {name}\n" for name in names)
    (root / "report.yaml").write_text(
        f"id: bench-{sections}\ntitle: 行政のデジタル化に関する調査（{sections}章）\n"
        f"organisation: 試験庁\ndate: 2026-04-01\nversion: \"1.0\"\nmarking: 試験用\n"
        f"sections:\n{listed}references: references.yaml\n", encoding="utf-8")
    return root


CHART_KINDS = ("bar", "barh", "stacked", "line", "stacked-barh")


def add_charts(root: Path, count: int) -> Path:
    """Adds a section of `count` chart blocks, drawn from one CSV, to the report in root."""
    (root / "data").mkdir(exist_ok=True)
    rows = "".join(f"{p},{100 + 7 * n},{90 + 5 * n},{80 + 3 * n}\n"
                   for n, p in enumerate(PREFECTURES))
    (root / "data" / "figures.csv").write_text("県,2019年度,2021年度,2023年度\n" + rows,
                                               encoding="utf-8")
    blocks = "".join(f"```chart\ntype: {CHART_KINDS[n % len(CHART_KINDS)]}\n"
                     f"data: figures.csv\nunit: 件\ncaption: 申請件数（その{n + 1}）\n"
                     f"source: [@ref-1]\nlabels: {str(n % 2 == 0).lower()}\n```\n\n"
                     for n in range(count))
    (root / "charts.md").write_text(f"# 図表\n\n{blocks}", encoding="utf-8")
    report = root / "report.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("references: references.yaml",
                                   "  - charts.md\nreferences: references.yaml"),
                      encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--sections", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--charts", type=int, default=0, help="add a section of N charts")
    args = parser.parse_args()
    generate(args.out, args.sections, args.seed)
    if args.charts:
        add_charts(args.out, args.charts)


if __name__ == "__main__":
    main()
