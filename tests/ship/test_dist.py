"""`dist`: versioned bundles, made once per change, atomically, with a change summary."""

import hashlib
import json
import re
import os
import subprocess
import sys
import time

import pytest
from pypdf import PdfReader

import pipeline.build.products
import pipeline.ship.bundle
from pipeline.cli import main
from pipeline.ship.bundle import safe_filename

from helpers import ROOT, listing, need_tool, pdf_pages_text, run_cli, write_report
from helpers import tiny_png

SECTIONS = {
    "01-intro.md": "# はじめに\n\n本資料の目的を述べる[@alpha]。\n",
    "02-body.md": "# 本論\n\n職員数は113万人から59万人へ減少した[@beta]。\n",
}
BUNDLE = "test-report-v1.0-20260401"
STEM = "20260401_試験報告_v1.0"


def _report(tmp_path, **kwargs):
    return write_report(tmp_path / "r", SECTIONS, **kwargs)


def _dist(root, out, *options):
    return main(["dist", "--content", str(root), "--out", str(out), *options])


def _bump(root, version, date="2026-04-01"):
    text = (root / "report.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "1.0"', f'version: "{version}"')
    (root / "report.yaml").write_text(text.replace("date: 2026-04-01", f"date: {date}"),
                                      encoding="utf-8")


def _tree(directory):
    """Returns {relative path: bytes} of every file below directory."""
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_bundle_holds_products_sums_and_manifest(tmp_path):
    root = _report(tmp_path, extra="recipients:\n  - 総務課長\n  - 政策企画室\n")
    assert _dist(root, tmp_path / "out") == 0
    bundle = tmp_path / "out" / "dist" / BUNDLE
    names = sorted(_tree(bundle))
    assert names == sorted(["SHA256SUMS", f"{STEM}.docx", f"{STEM}.pdf",
                            f"copies/{STEM}_No01_総務課長.pdf",
                            f"copies/{STEM}_No02_政策企画室.pdf", "manifest.json"])
    sums = dict(reversed(line.split("  ", 1)) for line in
                (bundle / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert sums == {name: hashlib.sha256((bundle / name).read_bytes()).hexdigest()
                    for name in names if name != "SHA256SUMS"}
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["id"], manifest["title"], manifest["version"], manifest["date"]) == (
        "test-report", "試験報告", "1.0", "2026-04-01")
    assert manifest["source_revision"] is None  # the report is not in a git repository
    assert len(manifest["content_hash"]) == 64
    assert manifest["pages"] == len(PdfReader(bundle / f"{STEM}.pdf").pages)
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == {
        k: v for k, v in sums.items() if k != "manifest.json"}
    assert all(f["size"] == (bundle / f["name"]).stat().st_size for f in manifest["files"])
    assert [(c["number"], c["recipient"]) for c in manifest["copies"]] == [
        (1, "総務課長"), (2, "政策企画室")]
    assert all(c["sha256"] == sums[c["name"]] for c in manifest["copies"])


def test_source_revision_is_the_git_commit(tmp_path):
    root = _report(tmp_path)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.jp"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "report"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert _dist(root, tmp_path / "out") == 0
    manifest = json.loads((tmp_path / "out/dist" / BUNDLE / "manifest.json").read_text())
    assert (manifest["source_revision"], manifest["source_modified"]) == (head, False)


def test_unchanged_inputs_make_no_bundle(tmp_path, capsys):
    root, out = _report(tmp_path), tmp_path / "out"
    assert _dist(root, out) == 0
    before = _tree(out / "dist")
    capsys.readouterr()
    assert _dist(root, out) == 0
    assert capsys.readouterr().out.strip().endswith(f"{BUNDLE}: up to date")
    assert _tree(out / "dist") == before


def test_identical_inputs_give_identical_bundles_on_any_day(tmp_path):
    need_tool("faketime")
    root = _report(tmp_path)
    shifted = ["faketime", "-f", "+3653d", sys.executable]
    year = subprocess.run([*shifted, "-c", "import time; print(time.gmtime().tm_year)"],
                          capture_output=True, text=True, check=True).stdout
    assert int(year) >= time.gmtime().tm_year + 9  # the clock really is shifted
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for out, prefix in ((tmp_path / "today", [sys.executable]), (tmp_path / "later", shifted)):
        subprocess.run([*prefix, "-m", "pipeline", "dist", "--content", str(root), "--out",
                        str(out), "--quiet"], check=True, env=env, cwd=ROOT)
    assert _tree(tmp_path / "today" / "dist") == _tree(tmp_path / "later" / "dist")


def test_changed_section_makes_a_bundle_with_changes(tmp_path, capsys):
    root, out = _report(tmp_path), tmp_path / "out"
    assert _dist(root, out) == 0
    _bump(root, "1.1", "2026-04-15")
    (root / "02-body.md").write_text("# 本論\n\n職員数は113万人から58万人へ減少した[@beta]。\n",
                                     encoding="utf-8")
    capsys.readouterr()
    assert _dist(root, out) == 0
    changes = (out / "dist" / "test-report-v1.1-20260415" / "CHANGES.md").read_text()
    assert "- 変更: 02-body.md「本論」" in changes
    assert "-職員数は113万人から59万人へ減少した[@beta]。" in changes
    assert "+職員数は113万人から58万人へ減少した[@beta]。" in changes
    assert "01-intro.md" not in changes
    assert "前回: 第1.0版（令和8年（2026年）4月1日） " + BUNDLE in changes
    assert changes in capsys.readouterr().out  # printed, too
    manifest = json.loads((out / "dist/test-report-v1.1-20260415/manifest.json").read_text())
    assert manifest["previous"] == BUNDLE
    assert "CHANGES.md" in [f["name"] for f in manifest["files"]]


def test_added_section_and_reference_are_named(tmp_path):
    root, out = _report(tmp_path), tmp_path / "out"
    assert _dist(root, out) == 0
    _bump(root, "2.0")
    (root / "03-new.md").write_text("# 新章\n\n新しい資料による[@delta]。\n", encoding="utf-8")
    text = (root / "report.yaml").read_text().replace("  - 02-body.md\n",
                                                       "  - 02-body.md\n  - 03-new.md\n")
    (root / "report.yaml").write_text(text)
    with open(root / "references.yaml", "a", encoding="utf-8") as refs:
        refs.write("- id: delta\n  type: report\n  title: デルタ年報\n  publisher: デルタ局\n"
                   "  issued: 2025\n")
    assert _dist(root, out) == 0
    changes = (out / "dist/test-report-v2.0-20260401/CHANGES.md").read_text()
    assert "- 追加: 03-new.md「新章」" in changes
    assert "- 追加: [delta] デルタ局. デルタ年報. 2025." in changes
    assert "ガンマ白書" not in changes  # listed, unchanged, both times


def test_another_report_in_the_same_output_is_not_the_previous_bundle(tmp_path):
    out = tmp_path / "out"
    assert _dist(_report(tmp_path), out) == 0
    other = write_report(tmp_path / "other", SECTIONS)
    text = (other / "report.yaml").read_text().replace("id: test-report", "id: other-report")
    (other / "report.yaml").write_text(text, encoding="utf-8")
    assert _dist(other, out) == 0
    assert not (out / "dist" / "other-report-v1.0-20260401" / "CHANGES.md").exists()


def test_same_edition_with_other_content_is_refused_unless_replaced(tmp_path, capsys):
    root, out = _report(tmp_path), tmp_path / "out"
    assert _dist(root, out) == 0
    (root / "01-intro.md").write_text("# はじめに\n\n目的を改めた[@alpha]。\n", encoding="utf-8")
    before = _tree(out / "dist" / BUNDLE)
    assert _dist(root, out) == 1
    err = capsys.readouterr().err
    assert "raise 'version'" in err and "[dist-exists]" in err
    assert _tree(out / "dist" / BUNDLE) == before
    assert _dist(root, out, "--strict") == 1  # an error, not a warning made one
    assert "warnings count as errors" not in capsys.readouterr().err
    assert _dist(root, out, "--replace") == 0
    assert _tree(out / "dist" / BUNDLE) != before
    assert listing(out / "dist") == [BUNDLE]


def test_pipeline_change_with_identical_products_is_up_to_date(tmp_path, monkeypatch, capsys):
    root, out = _report(tmp_path), tmp_path / "out"
    assert _dist(root, out) == 0
    real = pipeline.ship.bundle.fingerprint
    monkeypatch.setattr(pipeline.ship.bundle, "fingerprint", lambda *a: real(*a).__class__(
        "0" * 64, ()))  # as if the pipeline's code had changed
    capsys.readouterr()
    assert _dist(root, out) == 0
    assert capsys.readouterr().out.strip().endswith("up to date")


def test_failure_mid_build_leaves_the_previous_bundle_intact(tmp_path, monkeypatch, capsys):
    root, out = _report(tmp_path), tmp_path / "out"
    assert _dist(root, out) == 0
    before = _tree(out / "dist")
    _bump(root, "1.1")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(out / "dist"))
    monkeypatch.setattr(pipeline.build.products, "write_docx", disk_full)  # after the PDF was written
    assert _dist(root, out) == 74  # EX_IOERR: the machine, not the report
    assert "No space left on device" in capsys.readouterr().err
    assert _tree(out / "dist") == before  # no new bundle, no temporary left, LATEST unchanged


def test_a_second_concurrent_build_exits_75(tmp_path):
    root, out = _report(tmp_path), tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "pipeline", "dist", "--content", str(root),
                              "--out", str(out), "--quiet"], cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    while first.poll() is None and not _held_by(out, first.pid):
        time.sleep(0.01)
    second = run_cli("pdf", "--content", str(root), "--out", str(out))
    assert first.wait() == 0
    assert second.returncode == 75
    assert f"another build of {out} is running (pid {first.pid})" in second.stderr
    assert "[busy]" in second.stderr
    assert run_cli("pdf", "--content", str(root), "--out", str(out)).returncode == 0


def _held_by(out, pid: int) -> bool:
    """Returns whether the lock file names pid, which its holder writes once it has it.

    (Trying the lock to find out would itself hold it for an instant, and could
    make the first build exit 75.)"""
    try:
        return (out / ".lock").read_text().strip() == str(pid)
    except FileNotFoundError:
        return False


def test_quiet_prints_nothing(tmp_path):
    root = _report(tmp_path)
    result = run_cli("dist", "--content", str(root), "--out", str(tmp_path / "out"), "--quiet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_distributed_pdf_is_pdf_a(tmp_path):
    root = _report(tmp_path)
    assert _dist(root, tmp_path / "out") == 0
    reader = PdfReader(tmp_path / "out" / "dist" / BUNDLE / f"{STEM}.pdf")
    catalog = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp
    (intent,) = catalog["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent
    assert catalog["/Lang"] == "ja"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (pypdf's)
    assert reader.metadata.title == "試験報告"
    assert _fonts(reader) and all(embedded for _, embedded in _fonts(reader))


def _fonts(reader):
    """Returns (name, embedded) for every font the pages use."""
    found = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or \
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            keys = descriptor.get_object().keys()
            found.add((font["/BaseFont"], any(k.startswith("/FontFile") for k in keys)))
    return found


def test_archival_false_gives_a_plain_pdf(tmp_path):
    root = _report(tmp_path, extra="archival: false\n")
    assert _dist(root, tmp_path / "out") == 0
    bundle = tmp_path / "out" / "dist" / BUNDLE
    assert "/Metadata" not in PdfReader(bundle / f"{STEM}.pdf").trailer["/Root"]
    assert json.loads((bundle / "manifest.json").read_text())["pdf_variant"] is None


def test_numbered_copies_differ_only_in_their_footer(tmp_path):
    recipients = tmp_path / "recipients.txt"
    recipients.write_text("# 配布先\n総務課長\n政策企画室 \"第二\"\n", encoding="utf-8")
    root = _report(tmp_path)
    assert _dist(root, tmp_path / "out", "--recipients", str(recipients)) == 0
    copies = tmp_path / "out" / "dist" / BUNDLE / "copies"
    one = pdf_pages_text(copies / f"{STEM}_No01_総務課長.pdf")
    two = pdf_pages_text(copies / f"{STEM}_No02_政策企画室_＂第二＂.pdf")
    assert len(one) == len(two) > 1
    for page_one, page_two in zip(one, two):
        assert "配布先: 総務課長 / No. 1" in page_one
        assert '配布先: 政策企画室 "第二" / No. 2' in page_two
        assert _without_footer(page_one) == _without_footer(page_two)


def _without_footer(page: str) -> list[str]:
    # Spaces squeezed: pdftotext spaces a contents line by the page's widest line.
    return [re.sub(r"\s+", " ", line) for line in page.splitlines() if "配布先" not in line]


@pytest.mark.parametrize("text, name", [
    ("官公庁の取組: 2026/11", "官公庁の取組：_2026／11"),
    ('a*b?c"d<e>f|g\\h', "a＊b？c＂d＜e＞f｜g＼h"),
    ("  末尾の点. ", "末尾の点"),
    ("改行\nと\tタブ", "改行_と_タブ"),
    ("請求書\u202efdp.exe", "請求書fdp.exe"),  # right-to-left override: no fake extension
    ("\u2066隔離\u2069と\u200b幅なし", "隔離と幅なし"),
])
def test_safe_filename(text, name):
    assert safe_filename(text) == name


def test_changes_name_a_changed_figure(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n![職員数の推移](chart.png)\n\n本文[@alpha]。\n"})
    (root / "chart.png").write_bytes(tiny_png())
    out = tmp_path / "out"
    assert _dist(root, out) == 0
    _bump(root, "1.1")
    (root / "01.md").write_text("# 一\n\n![職員数の推移（改）](chart.png)\n\n本文[@alpha]。\n",
                                encoding="utf-8")
    assert _dist(root, out) == 0
    changes = (out / "dist" / "test-report-v1.1-20260401" / "CHANGES.md").read_text()
    assert "-図1: 職員数の推移 (chart.png)" in changes
    assert "+図1: 職員数の推移（改） (chart.png)" in changes


def test_make_dist_quiet_prints_nothing(tmp_path):
    root, out = _report(tmp_path), tmp_path / "out"
    subprocess.run(["make", "-s", "setup"], cwd=ROOT, capture_output=True, check=True)
    for _ in range(2):  # a bundle, then "up to date"
        done = subprocess.run(["make", "-s", "dist", f"CONTENT={root}", f"OUT={out}", "QUIET=1"],
                              cwd=ROOT, capture_output=True, text=True)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert listing(out / "dist") == [BUNDLE]


def test_a_recipients_file_that_names_nobody_is_refused(tmp_path, capsys):
    recipients = tmp_path / "recipients.txt"
    recipients.write_text("# 配布先（まだ決まっていない）\n\n", encoding="utf-8")
    assert _dist(_report(tmp_path), tmp_path / "out", "--recipients", str(recipients)) == 1
    assert "recipients.txt: error: no recipient listed (one a line, or a CSV of 名前,メール) " \
        "[recipients]" in \
        capsys.readouterr().err
    assert not (tmp_path / "out" / "dist").exists() or not list(
        p for p in (tmp_path / "out" / "dist").iterdir() if not p.name.startswith("."))


def test_a_long_recipient_name_is_cut_in_the_file_name_and_kept_whole_inside(tmp_path):
    from pipeline.ship.bundle import copy_name
    long = "総務省自治行政局地域力創造グループ地域政策課" * 4
    name = copy_name("20260401_" + "長" * 40 + "_v1.0", 1, long)  # the longest title
    assert len(name.encode("utf-8")) <= 230 and name.endswith(".pdf")
    assert "_No01_総務省自治行政局地域力創造グループ地域政" in name
    assert copy_name("s", 2, "a" * 100) == "s_No02_" + "a" * 60 + ".pdf"


AUTO_SECTION = "# 職員\n\n国家公務員は{{ staff['国家公務員']['現在（万人）'] }}万人である[@gamma]。\n"
STAFF_BEFORE = "区分,現在（万人）\n国家公務員,59\n地方公務員,274\n"
STAFF_AFTER = "区分,現在（万人）\n国家公務員,58\n地方公務員,274\n"


def _fetched(root, when: str) -> None:
    """Records a fetch of data/staff.csv at `when`, as `refresh` would have."""
    (root / "data" / "sources.lock").write_text(
        f"staff.csv:\n  url: https://www.example.go.jp/staff.csv\n  fetched: '{when}'\n",
        encoding="utf-8")


@pytest.mark.parametrize("edition", ["auto", "manual"])
def test_data_that_changed_makes_the_next_edition_only_when_the_report_asks(tmp_path, capsys,
                                                                          edition):
    root = write_report(tmp_path / "r", {"01.md": AUTO_SECTION}, data={"staff.csv": STAFF_BEFORE},
                        extra=f"edition: {edition}\n")
    _fetched(root, "2026-03-31T01:00:00Z")
    out = tmp_path / "out"
    assert _dist(root, out) == 0
    (root / "data" / "staff.csv").write_text(STAFF_AFTER, encoding="utf-8")
    _fetched(root, "2026-11-30T20:00:00Z")  # 1 December in Japan
    capsys.readouterr()
    code = _dist(root, out)
    printed = capsys.readouterr()
    if edition == "manual":  # as any change under the same version: raise it by hand
        assert code == 1 and "raise 'version'" in printed.err
        return
    assert code == 0, printed.err
    bundle = out / "dist" / "test-report-v1.1-20261201"
    changes = (bundle / "CHANGES.md").read_text(encoding="utf-8")
    assert "- 今回: 第1.1版" in changes and "- 前回: 第1.0版" in changes
    assert "- data/staff.csv 国家公務員・現在（万人）: 59 → 58" in changes
    assert "地方公務員" not in changes  # only the cells that changed
    assert "58万人" in changes  # and the sentence that changed with it
    text = "".join(pdf_pages_text(bundle / "20261201_試験報告_v1.1.pdf")).replace(" ", "")
    assert "第1.1版" in text and "令和8年（2026年）12月1日" in text
    assert "version: \"1.0\"" in (root / "report.yaml").read_text(encoding="utf-8")  # no edit
    assert _dist(root, out) == 0 and "up to date" in capsys.readouterr().out
    assert sorted(p.name for p in (out / "dist").iterdir() if not p.name.startswith(".")) == [
        "test-report-v1.0-20260401", "test-report-v1.1-20261201"]
