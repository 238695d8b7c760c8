"""Every rule id the pipeline reports, declared once: its severity, the stage
that reports it, and one line of documentation (the README's rule table).

A finding is made from its rule, `UNKNOWN_KEY.at(path, line, message)`, so an
id can be neither misspelt nor left undocumented (MyST's warning types). A
rule has one severity; `--strict` alone turns warnings into errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .diagnostics import ERROR, NOTE, WARNING, Diagnostic, display_path

STAGES = ("read", "resolve", "check", "lint", "write", "ship", "run")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    stage: str
    doc: str

    def at(self, path: Path | str, line: int | None, message: str,
           column: int | None = None) -> Diagnostic:
        """Returns this rule's finding at path:line:column."""
        return Diagnostic(display_path(path), line, self.severity, message, column, self.id)


RULES: dict[str, Rule] = {}


def _rule(rule_id: str, severity: str, stage: str, doc: str) -> Rule:
    assert rule_id not in RULES and stage in STAGES, rule_id  # a programming error, at import
    RULES[rule_id] = Rule(rule_id, severity, stage, doc)
    return RULES[rule_id]


# ---- read: the files, the metadata, Jinja and Markdown ---------------------

MISSING_FILE = _rule("missing-file", ERROR, "read",
                     "the content directory, report.yaml and the reference file exist")
READ = _rule("read", ERROR, "read", "every file of the report can be read")
TOO_LARGE = _rule("too-large", ERROR, "read",
                  "no Markdown or YAML file is over `--max-file-mib`")
ENCODING = _rule("encoding", ERROR, "read", "every text file is UTF-8 (a BOM and CRLF are fine)")
BAD_CHARACTER = _rule("bad-character", ERROR, "read",
                      "no character a product cannot hold, in a file, a YAML escape or what "
                      "Jinja makes: NUL and the other C0 controls but tab and line breaks, "
                      "U+FFFE, U+FFFF, lone surrogates, the pipeline's reserved marks")
YAML = _rule("yaml", ERROR, "read",
             "every YAML file parses (the line and column of the problem), its keys are "
             "texts or numbers, and its aliases expand to at most 10,000 nodes")
REPORT_FIELD = _rule("report-field", ERROR, "read",
                     "report.yaml's fields are present and of the right type; `id` can name "
                     "a file")
UNKNOWN_FIELD = _rule("unknown-field", WARNING, "read",
                      "no unknown field in report.yaml or a reference entry (a misspelling "
                      "names the nearest known field)")
# The Digital Agency's rules for machine-readable tables (check/machine_readable.py).
DATA_MERGED = _rule("data-merged-cells", WARNING, "check",
                    "no merged cells in an .xlsx data file (L1-12)")
DATA_UNIT_IN_CELL = _rule("data-unit-in-cell", WARNING, "check",
                          "a data cell holds a number alone, its unit in the header: not "
                          "`12人` (L2-01)")
DATA_NOTE_IN_CELL = _rule("data-note-in-cell", WARNING, "check",
                          "no note mark in a number's cell: not `8※` (L1-07)")
DATA_FULL_WIDTH = _rule("data-full-width", WARNING, "check",
                        "data cells write digits half-width (L2-01)")
DATA_BLANK_LINE = _rule("data-blank-line", WARNING, "check",
                        "no blank rows inside a table and no empty columns for layout (L1-03)")
DATA_TWO_TABLES = _rule("data-two-tables", WARNING, "check",
                        "one table to a file or sheet (L1-02)")
DATA_HEADER_ROWS = _rule("data-header-rows", WARNING, "check",
                         "one header row, unless data/sources.yaml declares `header_rows` "
                         "(L2-03, L3-01)")
DATA_WAREKI = _rule("data-wareki", WARNING, "check",
                    "a 和暦 date in data has its 西暦 beside it (L3-05)")
SEND = _rule("send", ERROR, "ship",
             "`send` knows its server from the environment, finds the bundle, and each mail's "
             "attachments stay within max_attachment_mib")
REFRESH = _rule("refresh", ERROR, "read",
                "`refresh` fetches a publisher's file over https within its limits, and the "
                "new file fits what the report uses; otherwise the old file stays")
UNUSED_ACKNOWLEDGMENT = _rule("unused-acknowledgment", WARNING, "check",
                              "each rule report.yaml acknowledges (`acknowledge:`) gave a "
                              "warning in this build; one that matches nothing would hide the "
                              "next real one")
MISSING_SECTION = _rule("missing-section", ERROR, "read",
                        "every file listed in `sections` exists, and at least one is listed")
REFERENCE = _rule("reference", ERROR, "read",
                  "the reference file is a list of entries, each a mapping with an `id`, "
                  "text fields and named authors")
BAD_DATE = _rule("bad-date", ERROR, "read",
                 "dates are real (`2021-02-30` is not), and a page was not accessed before "
                 "it was issued")
DATA = _rule("data", ERROR, "read",
             "each data file that the report uses reads as a table: UTF-8 or Shift_JIS, "
             "a header (`header_row:`), one cell per column, an .xlsx whose formulas have "
             "saved values and that is no zip bomb, JSON records; data/sources.yaml's keys")
DATA_UNUSED = _rule("data-unused", WARNING, "read",
                    "a file in data/ that nothing uses is still a data file that can be read "
                    "(it stops no build)")
TEMPLATE = _rule("template", ERROR, "read",
                 "Jinja expands: its syntax, no undefined variable, nothing the sandbox refuses")
EMPTY_SECTION = _rule("empty-section", ERROR, "read", "no section file is empty")
MARKDOWN = _rule("markdown", ERROR, "read",
                 "the Markdown makes only what the writers render (an image stands alone, "
                 "no raw HTML block)")
TOO_LONG = _rule("too-long", ERROR, "read",
                 "no paragraph, heading, caption, table cell or code line is longer than "
                 "`--max-paragraph-chars`, which line breaking would take minutes to lay out")
NESTING = _rule("nesting", ERROR, "read", "lists and quotations are nested at most 12 deep")
FIGURE = _rule("figure", ERROR, "read",
               "a figure has a caption and is a PNG, JPEG or GIF inside the report directory "
               "that decodes whole, under `--max-image-mib`")
CHART = _rule("chart", ERROR, "read",
              "a chart or table block names known keys, a data file inside data/, its "
              "columns and sheet; numeric values to draw; a caption and its sources as "
              "citations (unless data/sources.yaml names the file's publisher); a pie of at "
              "most 7 slices, none negative")
FOOTNOTE = _rule("footnote", ERROR, "read",
                 "every `[^name]` call has a definition `[^name]: …`, every definition is "
                 "called, and no name is defined twice in a section")
STRAY_CITATION = _rule("stray-citation", WARNING, "read",
                       "text that looks like a citation (`[@key p. 12]`, without the comma) is "
                       "written as one")

# ---- resolve: numbers, anchors and citations ---------------------------------

UNKNOWN_KEY = _rule("unknown-key", ERROR, "resolve",
                    "every `[@key]` names an entry of the reference list (the nearest key "
                    "is suggested)")
LINK_ANCHOR = _rule("link-anchor", ERROR, "resolve",
                    "a link to `#anchor` names a heading, figure, table or reference-list entry "
                    "of the report (the nearest anchor is suggested), not a slug another tool "
                    "would make")
CROSS_REF = _rule("cross-ref", ERROR, "resolve",
                  "every `[@fig:…]`, `[@tbl:…]`, `[@sec:…]` names a label of that kind (the "
                  "nearest is suggested), with no citation in the same brackets; a label's "
                  "prefix fits what it labels, and no label is a reference-list key")
DUPLICATE_ANCHOR = _rule("duplicate-anchor", ERROR, "resolve",
                         "no two headings, figures or tables share an anchor")

# ---- check: the rules a briefing must meet -----------------------------------

UNCITED = _rule("uncited", ERROR, "check",
                "every entry is cited at least once, unless it says `nocite: true`")
MISSING_TYPE = _rule("missing-type", ERROR, "check", "every entry has a CSL `type`")
UNKNOWN_TYPE = _rule("unknown-type", ERROR, "check",
                     "the `type` is one of `webpage`, `post`, `post-weblog`, `report`, `book`, "
                     "`chapter`, `article`, `article-journal`, `article-magazine`, "
                     "`article-newspaper`, `thesis`, `paper-conference`, `dataset`, "
                     "`document`, `speech`, `software`, `legislation`")
MISSING_TITLE = _rule("missing-title", ERROR, "check", "every entry has a title")
MISSING_CREATOR = _rule("missing-creator", ERROR, "check",
                        "an `author` or a `publisher` (not required for `legislation`)")
MISSING_URL = _rule("missing-url", ERROR, "check",
                    "web types (`webpage`, `post`, `post-weblog`) give their `URL`")
MISSING_FIELD = _rule("missing-field", ERROR, "check",
                      "`book`: `publisher`; `chapter`: `container-title` and `publisher`; "
                      "`article-journal`: `container-title`")
MISSING_ISSUED = _rule("missing-issued", WARNING, "check",
                       "an `issued` date, or `issued: null` when the source states none")
MISSING_ACCESSED = _rule("missing-accessed", WARNING, "check",
                         "an `accessed` date for every web source and every entry with a URL")
BAD_URL = _rule("bad-url", ERROR, "check", "URLs are absolute `http`/`https` addresses with a host")
FUTURE_DATE = _rule("future-date", ERROR, "check",
                    "no `issued` or `accessed` date after the report's `date`")
DUPLICATE_ID = _rule("duplicate-id", ERROR, "check", "no two entries share an `id`")
DUPLICATE_URL = _rule("duplicate-url", WARNING, "check",
                      "no two entries share a URL (`http`/`https` and a final `/` aside)")
DUPLICATE_TITLE = _rule("duplicate-title", WARNING, "check",
                        "no two entries share a title and publisher (full- and half-width "
                        "forms alike)")
UNSOURCED_FIGURE = _rule("unsourced-figure", WARNING, "check",
                         "a block that states a figure (digits with 人, 円, %, 割, 倍, 件, 年, "
                         "万, 億, …; 三割, 二倍) cites a source in the same block, its "
                         "table's caption, or the list item it is nested in")
ORPHAN_SECTION = _rule("orphan-section", WARNING, "check",
                       "every `*.md` beside `report.yaml` is listed (`README.md` aside)")
SKIPPED_HEADING = _rule("skipped-heading", ERROR, "check",
                        "headings go down one level at a time, and the report begins with `#`")
BAD_LINK = _rule("bad-link", ERROR, "check",
                 "links are `https://…`, `http://…`, `mailto:…` or `#anchor`")
RAW_HTML = _rule("raw-html", WARNING, "check",
                 "no raw HTML: it is printed as written, never interpreted")
UNSAFE_HTML = _rule("unsafe-html", ERROR, "check",
                    "no HTML that would run, fetch or embed something (`<script>`, `<img>`, "
                    "`on…=`, …)")

# ---- lint: official Japanese (check/lint/, `make lint`) ------------------------
# Severity by certainty: an error where the text is plainly wrong, a warning for
# a word with a known right form, a note where only a person can decide.

for _id, _severity, _doc in (
    ("conj-kanji-four", WARNING, "及び・並びに・又は・若しくは は漢字（訓令 1(2)オ）†"),
    ("conj-kana", WARNING, "その他の接続詞は仮名：したがって、ただし、なお、また、かつ（訓令 1(2)オ）"),
    ("sarani-conj-adv", WARNING, "接続詞「さらに」は仮名（考え方 解説 p.11）"),
    ("adverb-kanji", WARNING, "副詞・連体詞は漢字：既に、直ちに、我が国（訓令 1(2)イ）†"),
    ("adverb-kana", WARNING, "仮名で書く副詞：よほど、おおむね、ほとんど（訓令 1(2)イ ただし書）"),
    ("pronoun-kanji", WARNING, "代名詞は漢字：私、我々、誰（訓令 1(2)ア）"),
    ("hojo-doushi-kana", WARNING, "補助動詞は仮名：していただく、してください、してみる（訓令 1(2)キ）"),
    ("keishiki-meishi", NOTE, "形式名詞は仮名（こと、とき、ところ）：確認を促す（訓令 1(2)キ）"),
    ("joshi-jodoushi-kana", WARNING, "助詞・助動詞は仮名：くらい、のよう、まで（訓令 1(2)カ）"),
    ("nado-tou", NOTE, "「等」は多用せず、例示には「など」：確認を促す（考え方 Ⅱ-5イ(ウ)）"),
    ("kana-verbs-law", WARNING, "できる、おそれ、よる、ない、ため などは仮名（訓令 1(2)キ）"),
    ("prefix-go", WARNING, "「御（ご）」は漢字、「お」は仮名（訓令 1(2)ウ）†"),
    ("suffix-kana", WARNING, "接尾語は仮名：私たち、私ども（訓令 1(2)エ）"),
    ("kodomo", WARNING, "「子供」と書く、固有名詞は除く（常用漢字表「供」）"),
    ("hyougai", WARNING, "常用漢字表にない字・読みは仮名：さすが、かつて、なぜ（訓令 1(1)）"),
    ("okuri-186", WARNING, "訓令 2(1)の表の名詞は表のとおり：手続、取扱い、申込み（訓令 2(1)）†"),
    ("okuri-tsusoku7", WARNING, "慣用の固定した名詞：取組、仕組、受付（送り仮名の付け方 通則7）†"),
    ("okuri-honsoku", WARNING, "送り仮名は本則：行う、表す（送り仮名の付け方 通則1）"),
    ("choon-vu", WARNING, "語末の長音「ー」、「ヴ」は使わない：コンピューター（考え方 解説 p.14）"),
    ("touten", ERROR, "読点は「、」か「，」の一方に統一（考え方 Ⅰ-5(1)ア）"),
    ("kuten-period", ERROR, "句点は「。」（考え方 解説 p.17）"),
    ("bang-question", WARNING, "「？」「！」は解説・広報等に限る（考え方 Ⅰ-5(2)ア）"),
    ("brackets", WARNING, "『』は解説・広報等に限る（考え方 Ⅰ-5(1)ウ）"),
    ("kakko-kuten", WARNING, "文として終わる括弧の中に「。」：（以下「計画」という。）（考え方 Ⅰ-5(1)エ）"),
    ("repeat-mark", ERROR, "繰り返し符号は「々」だけ（考え方 Ⅰ-6イ）"),
    ("arabic-num", WARNING, "横書きでは算用数字：令和4年（考え方 Ⅰ-4ア）"),
    ("num-comma", WARNING, "4桁以上の数は3桁ごとに「,」：12,000円（考え方 解説 p.15）"),
    ("num-unit", WARNING, "単位に「千」「百」は使わない：5,000人（考え方 Ⅰ-4ウ）"),
    ("zenkaku-hankaku", WARNING, "全角・半角は文書内で統一、一まとまりの中で混ぜない、データ・欧文は半角："
     "2021年1月12日（考え方 Ⅰ-4エ、Ⅰ-6エ）"),
    ("kasho-kagetsu", ERROR, "算用数字には「か月」「か所」、漢数字には「箇」：3か月、三箇所（考え方 Ⅰ-4ケ）"),
    ("kansuji", WARNING, "和語の数・概数は漢数字：一つ、二、三日（考え方 Ⅰ-4オ・カ）"),
    ("redundant", WARNING, "重複・回りくどい表現を避ける：できる、約20名（考え方 Ⅱ-5ウ）"),
    ("yori-kara", WARNING, "起点は「から」、「より」は比較（考え方 Ⅱ-5イ(ア)）"),
    ("buntai-mix", ERROR, "である体とです・ます体を混ぜない（考え方 Ⅲ-1イ）"),
    ("dearu-beki", WARNING, "である体の文末は「である」、「すべき」（考え方 Ⅲ-1ウ・オ）"),
    ("bungo-gozaimasu", WARNING, "文語の名残、「ございます」を使わない（考え方 Ⅲ-1エ、Ⅱ-6ウ）"),
    ("sentence-length", NOTE, "60字を超える文：読みやすさの確認を促す（考え方 解説 p.32）"),
    ("double-negative", WARNING, "二重否定を避ける（考え方 Ⅲ-3コ）"),
    ("ranuki", WARNING, "ら抜き言葉を使わない：見られる（国語審議会 第20期、1995）"),
    ("same-joshi", NOTE, "「の」を続けない：確認を促す（考え方 Ⅲ-3キ）"),
):
    _rule(_id, _severity, "lint", _doc)
OFFICE_TERM = _rule("office-term", WARNING, "lint", "lint.yaml の replace にある、その組織の表記")
LINT_DISABLE = _rule("lint-disable", WARNING, "lint",
                     "`<!-- lint: disable=… -->` が実際に何かを抑止している")
LINT_CONFIG = _rule("lint-config", ERROR, "lint", "lint.yaml の項目と規則名が正しい")

# ---- review: a reviewed Word file back to the sources (`review`) ----------------

REVIEW_FILE = _rule("review-file", ERROR, "read",
                    "a reviewed file is a .docx this pipeline wrote, whole, without macros, "
                    "entities or parts past 50 MiB")
REVIEW_CHANGE = _rule("review-change", WARNING, "ship",
                      "a tracked insertion, deletion, move or formatting change, at its block's "
                      "source line")
REVIEW_EDIT = _rule("review-edit", WARNING, "ship",
                    "an untracked edit: a block whose text differs from what was written")
REVIEW_COMMENT = _rule("review-comment", NOTE, "ship",
                       "a reviewer's comment, with the text it is attached to")
REVIEW_STALE = _rule("review-stale", WARNING, "ship",
                     "the sources changed since the .docx was written (the files are named)")
REVIEW_UNMAPPED = _rule("review-unmapped", WARNING, "ship",
                        "a block whose marker is gone or whose source line no longer holds it")
REVIEW_DIRTY = _rule("review-dirty", ERROR, "ship",
                     "`review --apply` writes no source with uncommitted changes (`--force`)")
REVIEW_MANUAL = _rule("review-manual", WARNING, "ship",
                      "a change to Jinja, a citation, a cross-reference or a value from data: "
                      "to apply by hand")

# ---- write: the renderers ----------------------------------------------------

FONT = _rule("font", ERROR, "write", "the BIZ UD fonts are installed (names the Debian package)")
CHART_GLYPH = _rule("chart-glyph", WARNING, "check", "a chart's text holds only characters its "
                    "font has (else an empty box in the Word file's picture)")
WRITER = _rule("writer", ERROR, "write", "every node of the tree can be rendered")
SANDBOX = _rule("sandbox", ERROR, "write",
                "the PDF reads only `data:` URLs and files inside the report directory and "
                "`templates/`")
TOO_MANY_PAGES = _rule("too-many-pages", ERROR, "write",
                       "the PDF is within `--max-pages`, estimated from the text before "
                       "layout and counted after it")

# ---- ship: products and bundles on disk ---------------------------------------

BUSY = _rule("busy", ERROR, "ship", "one build per output directory at a time (exit 75)")
DIST_EXISTS = _rule("dist-exists", ERROR, "ship",
                    "a changed briefing is a new edition: raise `version`, or `--replace`")
RECIPIENTS = _rule("recipients", ERROR, "ship",
                   "a `--recipients` file lists someone; each address `send` mails is one "
                   "address with a domain, and no name or address holds a line break")
IO_ERROR = _rule("io-error", ERROR, "ship",
                 "the output can be written (a full disk, a read-only directory): exit 74")
MISMATCHED_PAIR = _rule("mismatched-pair", WARNING, "ship",
                        "the PDF and .docx on disk are the pair the last `all` wrote")

# ---- run: the command as a whole, and the online link check --------------------

TIME_LIMIT = _rule("time-limit", ERROR, "run", "the whole command ends within `--time-limit`")
INTERNAL = _rule("internal", ERROR, "run", "a failure of the pipeline itself: `preview` shows it "
                 "on the page and rebuilds on the next save")
LINK_DEAD = _rule("link-dead", ERROR, "run",
                  "`linkcheck`: no URL answers 404 or 410, or has a host that cannot be reached")
LINK_REDIRECT = _rule("link-redirect", WARNING, "run",
                      "`linkcheck`: no URL redirects (the target is named)")
LINK_TIMEOUT = _rule("link-timeout", WARNING, "run", "`linkcheck`: every server answers in time")
LINK_STATUS = _rule("link-status", WARNING, "run", "`linkcheck`: no other unexpected status")
