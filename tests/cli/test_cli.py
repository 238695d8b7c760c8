"""The command line: exit codes, diagnostics, summaries, and atomic products."""

import json
import re

import pytest

from pipeline.cli import main

from helpers import FLAGSHIP, listing, run_cli, write_report

GOOD = {"01-intro.md": "# はじめに\n\n本文[@alpha][@beta][@gamma]。\n"}


def test_pdf_prints_one_line_per_product(tmp_path):
    root = write_report(tmp_path / "r", GOOD)
    result = run_cli("pdf", "--content", str(root), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r".*test-report\.pdf  \d+ pages  \d+ KiB  \d+\.\d\d s\n", result.stdout)
    assert (tmp_path / "out" / "test-report.pdf").read_bytes().startswith(b"%PDF-")


def test_quiet_prints_nothing(tmp_path):
    root = write_report(tmp_path / "r", GOOD)
    result = run_cli("pdf", "--content", str(root), "--out", str(tmp_path / "out"), "--quiet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_check_writes_only_its_findings(tmp_path):
    root = write_report(tmp_path / "r", GOOD)
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "out"))
    assert result.returncode == 0 and "ok" in result.stdout
    assert listing(tmp_path / "out") == ["check.json"]


def test_usage_error_exits_2(tmp_path):
    assert run_cli("publish").returncode == 2


def test_unknown_key_exits_1_with_diagnostic(tmp_path):
    write_report(tmp_path / "r", {"02-background.md": "# 背景\n\n本文\n\nここ[@alpah]。\n"})
    result = run_cli("pdf", "--content", "r", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert ("r/02-background.md:5:3: error: unknown reference key 'alpah' "
            "(did you mean 'alpha'?) [unknown-key]") in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert listing(tmp_path / "out") == ["check.json"]


def test_undefined_variable_exits_1_naming_file_and_line(tmp_path):
    write_report(tmp_path / "r", {"01.md": "# 背景\n\n{{ staff.total }}人\n"})
    result = run_cli("check", "--content", "r", cwd=tmp_path)
    assert result.returncode == 1
    assert "r/01.md:3: error: undefined variable: 'staff' is undefined" in result.stderr


def test_missing_section_file_exits_1(tmp_path):
    root = write_report(tmp_path / "r", GOOD)
    (root / "01-intro.md").unlink()
    result = run_cli("pdf", "--content", "r", cwd=tmp_path)
    assert result.returncode == 1
    assert "r/report.yaml:7: error: section file not found: 01-intro.md" in result.stderr


def test_failed_build_leaves_previous_product_intact(tmp_path):
    root = write_report(tmp_path / "r", GOOD)
    out = tmp_path / "out"
    assert run_cli("pdf", "--content", str(root), "--out", str(out)).returncode == 0
    before = (out / "test-report.pdf").read_bytes()
    (root / "01-intro.md").write_text("# はじめに\n\n[@missing]\n", encoding="utf-8")
    assert run_cli("pdf", "--content", str(root), "--out", str(out)).returncode == 1
    assert (out / "test-report.pdf").read_bytes() == before
    assert listing(out) == ["check.json", "test-report.pdf"]
    assert json.loads((out / "check.json").read_text())["errors"] == 1


def test_a_write_that_fails_halfway_leaves_the_previous_product_whole(tmp_path, monkeypatch,
                                                                      capsys):
    """The product is written beside its place and renamed: a disk that fills up while
    the new PDF is written leaves the old one as it was, and no half-written file."""
    import pipeline.atomic
    root, out = write_report(tmp_path / "r", GOOD), tmp_path / "out"
    assert main(["pdf", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    before = (out / "test-report.pdf").read_bytes()
    (root / "01-intro.md").write_text("# はじめに\n\n改めた本文。\n", encoding="utf-8")

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[:len(data) // 2])  # half of it reached the disk
            raise OSError(28, "No space left on device")
    real_open = open
    monkeypatch.setattr(pipeline.atomic, "open", lambda path, mode: FullDisk(
        real_open(path, mode)), raising=False)
    assert main(["pdf", "--content", str(root), "--out", str(out), "--quiet"]) == 74
    assert "No space left on device" in capsys.readouterr().err
    assert (out / "test-report.pdf").read_bytes() == before
    assert listing(out) == ["check.json", "test-report.pdf"]


def test_missing_content_directory_is_a_diagnostic(tmp_path):
    result = run_cli("check", "--content", "nowhere", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("nowhere: error: content directory not found")
    assert "[missing-file]" in result.stderr


def test_figure_and_table_numbers_reach_the_pdf(tmp_path):
    from pypdf import PdfReader

    from helpers import pdf_pages_text
    from helpers import tiny_png
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "chart.png").write_bytes(tiny_png())
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n![職員数の推移](chart.png)\n\n"
                                         "Table: 事例[@alpha]\n\n| a | b |\n|--|--|\n| 1 | 2 |\n\n"
                                         "[@beta][@gamma]\n"})
    assert run_cli("pdf", "--content", str(root), "--out", str(tmp_path / "o")).returncode == 0
    pdf = tmp_path / "o" / "test-report.pdf"
    text = "".join(pdf_pages_text(pdf)).replace(" ", "")
    assert "図1職員数の推移" in text and "表1事例" in text
    images = [name for page in PdfReader(pdf).pages
              for name, obj in page["/Resources"].get("/XObject", {}).items()
              if obj.get_object()["/Subtype"] == "/Image"]
    assert len(set(images)) == 1  # one image, shared by the pages' resources


def test_all_in_parallel_and_in_series_write_the_same_bytes(tmp_path):
    from pipeline.cli import main
    root = write_report(tmp_path / "r", GOOD)
    assert main(["all", "--content", str(root), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert main(["all", "--content", str(root), "--out", str(tmp_path / "b"), "--quiet",
                 "--serial"]) == 0
    for name in ("test-report.pdf", "test-report.docx"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_an_error_in_the_word_writer_child_reaches_the_parent(tmp_path, monkeypatch, capsys):
    import pipeline.build.products
    from pipeline.cli import main
    from pipeline.diagnostics import PipelineError
    from pipeline.rules import WRITER

    def broken(doc, path, **_):
        raise PipelineError([WRITER.at("templates/reference.docx", None, "no style named 'X'")])
    monkeypatch.setattr(pipeline.build.products, "write_docx", broken)  # the child inherits it
    root = write_report(tmp_path / "r", GOOD)
    assert main(["all", "--content", str(root), "--out", str(tmp_path / "o")]) == 1
    assert "templates/reference.docx: error: no style named 'X' [writer]" in \
        capsys.readouterr().err
    assert listing(tmp_path / "o") == ["check.json"]  # and the finished PDF was not kept


@pytest.mark.parametrize("mode", [[], ["--serial"]])
def test_a_failed_all_changes_neither_product(tmp_path, capsys, mode):
    from pipeline.cli import main
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + "本文。\n\n" * 300})
    out = tmp_path / "o"
    assert main(["all", "--content", str(root), "--out", str(out), "--quiet"]) == 0
    before = {name: (out / name).read_bytes() for name in listing(out)}
    (root / "01.md").write_text("# 一\n\n" + "改めた本文。\n\n" * 300, encoding="utf-8")
    assert main(["all", "--content", str(root), "--out", str(out), "--max-pages", "1",
                 *mode]) == 1
    err = capsys.readouterr().err
    assert "--max-pages" in err and "[too-many-pages]" in err
    assert sorted(p.name for p in out.iterdir()) == [".lock", ".test-report.pair.json",
                                                     *sorted(before)]
    assert {name: (out / name).read_bytes() for name in listing(out)
            if name != "check.json"} == {k: v for k, v in before.items() if k != "check.json"}


WEB_PAGES = "".join(f"""- id: page{n}
  type: webpage
  title: 資料{n}
  publisher: 試験庁
  URL: https://example.go.jp/{n}
  issued: 2025
""" for n in range(6))  # none with its access date: six warnings of one rule


def test_many_warnings_of_one_rule_are_summarised_unless_verbose(tmp_path):
    out = tmp_path / "out"
    cites = "".join(f"本文[@page{n}]。\n\n" for n in range(6))
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + cites}, references=WEB_PAGES)
    result = run_cli("check", "--content", str(root), "--out", str(out))
    report = json.loads((out / "check.json").read_text(encoding="utf-8"))
    accessed = [f for f in report["findings"] if f["rule"] == "missing-accessed"]
    lines = result.stderr.splitlines()
    assert result.returncode == 0 and len(accessed) == 6
    assert sum("[missing-accessed]" in line for line in lines) == 3 + 1
    assert f"… and {len(accessed) - 3} more [missing-accessed] (all in {out}/check.json)" in lines
    verbose = run_cli("check", "--content", str(root), "--out", str(out), "--verbose")
    assert len(verbose.stderr.splitlines()) == len(report["findings"])


def test_acknowledged_warnings_are_one_line_kept_with_their_reason_and_not_strict(tmp_path):
    out = tmp_path / "out"
    cites = "".join(f"本文[@page{n}]。\n\n" for n in range(6))
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + cites}, references=WEB_PAGES,
                        extra="acknowledge:\n  missing-accessed: 閲覧日は記録されていない。\n")
    result = run_cli("check", "--content", str(root), "--out", str(out), "--strict")
    assert result.returncode == 0, result.stderr
    assert "[missing-accessed]" not in result.stderr
    assert "0 error(s), 0 warning(s), 6 acknowledged (missing-accessed)" in result.stdout
    report = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert (report["warnings"], report["acknowledged"]) == (0, 6)
    assert {f["acknowledged"] for f in report["findings"]} == {"閲覧日は記録されていない。"}
    assert {f["severity"] for f in report["findings"]} == {"warning"}


@pytest.mark.parametrize("acknowledge, line, expected", [
    ("  missing-acessed: 理由\n", 10, "acknowledge: no rule 'missing-acessed' (did you mean "
                                      "'missing-accessed'?)"),
    ("  unknown-key: 理由\n", 10, "acknowledge: 'unknown-key' gives errors, and only warnings "
                                  "can be acknowledged"),
    ("  missing-accessed: ''\n", 9, "field 'acknowledge' must map rule ids to their reasons"),
])
def test_an_acknowledgment_of_no_rule_of_an_error_or_without_a_reason_is_an_error(
        tmp_path, acknowledge, line, expected):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文である。\n"},
                        extra="acknowledge:\n" + acknowledge)
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and f"report.yaml:{line}: error: {expected}" in result.stderr


def test_an_acknowledgment_that_matches_nothing_is_a_warning(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n本文である。\n"},
                        extra="acknowledge:\n  duplicate-url: 同じ資料を二度挙げる。\n")
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "out"))
    assert result.returncode == 0 and "[unused-acknowledgment]" in result.stderr
    assert "acknowledge: 'duplicate-url' matches no warning of this build" in result.stderr
    strict = run_cli("check", "--content", str(root), "--out", str(tmp_path / "out"), "--strict")
    assert strict.returncode == 1


def test_the_flagship_passes_strict_by_acknowledging_its_unknowable_dates(tmp_path):
    result = run_cli("check", "--content", str(FLAGSHIP), "--out", str(tmp_path), "--strict")
    assert result.returncode == 0, result.stderr
    assert "0 warning(s), 17 acknowledged (missing-accessed, missing-issued)" in result.stdout


def test_errors_are_never_summarised(tmp_path):
    cites = "".join(f"本文[@nokey{n}]。\n\n" for n in range(5))
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + cites})
    result = run_cli("check", "--content", str(root), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert sum("[unknown-key]" in line for line in result.stderr.splitlines()) == 5


@pytest.mark.parametrize("args", [["check", "--jobs", "3"], ["pdf", "--recipients", "x"],
                                  ["docx", "--serial"], ["linkcheck", "--max-pages", "2"]])
def test_each_command_takes_only_its_own_options(args):
    result = run_cli(*args)
    assert result.returncode == 2 and "unrecognized arguments" in result.stderr


def test_the_operator_sets_paragraph_and_expansion_limits(tmp_path):
    root = write_report(tmp_path / "r", {"01.md": "# 一\n\n" + "本文" * 20 + "[@alpha]。\n"})
    out = str(tmp_path / "out")
    assert run_cli("check", "--content", str(root), "--out", out).returncode == 0
    short = run_cli("check", "--content", str(root), "--out", out, "--max-paragraph-chars", "30")
    assert short.returncode == 1 and "01.md:3: error: a paragraph of 41 characters is longer " \
        "than 30 (--max-paragraph-chars): split it [too-long]" in short.stderr
    small = run_cli("check", "--content", str(root), "--out", out, "--max-expanded-mib", "0.00001")
    assert small.returncode == 1 and "(--max-expanded-mib)" in small.stderr


def test_the_command_lines_docstring_names_every_command():
    import pipeline.cli
    listed = pipeline.cli.__doc__.split("HELP:", 1)[1].split(".\n", 1)[0]
    assert sorted(c.strip() for c in listed.split(",")) == sorted(pipeline.cli.HELP)


def test_a_sigterm_that_a_library_turned_into_another_error_still_ends_as_terminated(
        tmp_path, monkeypatch, capsys):
    """The signal may land inside C code (an import, say), which raises its own error
    instead of ours: the build still unwinds and says it was stopped (exit 143)."""
    import os
    import signal

    import pipeline.cli

    def stopped_in_a_library(run, args):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pause()
        except BaseException:
            raise TypeError("expected a message argument") from None
    monkeypatch.setattr(pipeline.cli, "_run", stopped_in_a_library)
    assert main(["check", "--out", str(tmp_path), "--quiet"]) == 143
    assert "terminated (SIGTERM)" in capsys.readouterr().err
    monkeypatch.setattr(pipeline.cli, "_run", lambda run, args: 1 / 0)
    with pytest.raises(ZeroDivisionError):  # no signal: a bug stays a bug
        main(["check", "--out", str(tmp_path), "--quiet"])
