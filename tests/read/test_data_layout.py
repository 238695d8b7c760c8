"""read/layout.py alone: the table found in a sheet as published, and each layout
mistake at its line."""

import pytest

from pipeline.read.layout import Layout, LayoutError, find_table


def _error(records, layout=Layout()) -> tuple[int | None, str]:
    with pytest.raises(LayoutError) as raised:
        find_table(records, layout)
    return raised.value.line, str(raised.value)


def test_empty_cells_at_a_rows_end_are_not_columns():
    grid = find_table([(1, ["名", "値", "", None]), (2, ["甲", 1, "", " "]), (3, [None, ""]),
                       (4, ["乙", 2])])
    assert grid.columns == ("名", "値") and grid.rows == (("甲", 1), ("乙", 2))
    assert grid.lines == (2, 4) and grid.notes == ()


def test_a_short_row_is_filled_out_with_missing_cells():
    grid = find_table([(1, ["名", "値", "注"]), (2, ["甲", 1])])
    assert grid.rows == (("甲", 1, None),)


def test_title_lines_narrower_than_half_the_table_are_skipped():
    records = [(1, ["表題", "副題"]), (2, ["a", "b", "c", "d", "e"]), (3, [1, 2, 3, 4, 5])]
    assert find_table(records).columns == ("a", "b", "c", "d", "e")
    wide = [(1, ["表題", "副題", "三"]), (2, ["a", "b", "c", "d", "e"]), (3, [1, 2, 3, 4, 5])]
    assert _error(wide) == (2, "this row has 5 cells, the header 3")  # half or more: a header
    single = [(1, ["値"]), (2, [1]), (3, [2])]
    assert find_table(single).columns == ("値",) and find_table(single).rows == ((1,), (2,))
    pair = [(1, ["表題"]), (2, ["a", "b"]), (3, [1, 2])]
    assert find_table(pair).columns == ("a", "b")


def test_the_last_row_alone_is_taken_as_the_header_rather_than_nothing():
    assert find_table([(1, ["題"]), (2, ["a", "b", "c"])]).columns == ("a", "b", "c")
    assert find_table([(1, ["題"]), (2, ["副"])]).columns == ("題",)


def test_notes_under_the_table_are_kept_as_written():
    records = [(1, ["地域", "人口", "面積"]), (2, ["甲", 1, 2]), (3, ["注1) 推計", None, ""]),
               (4, ["資料：", "総務省", " 統計局 "])]
    grid = find_table(records)
    assert grid.lines == (2,) and grid.notes == ("注1) 推計", "資料： 総務省 統計局")


@pytest.mark.parametrize("first", ["（注）", "(注1)", "注：", "注", "※印", "＊", "*1", "資料:",
                                   "出典：", "備考", "(1)", "１）", "2. 補足"])
def test_a_row_that_starts_as_a_note_does_is_a_note(first):
    grid = find_table([(1, ["名", "値"]), (2, ["甲", 1]), (3, [first, "補足の続き"])])
    assert grid.lines == (2,) and grid.notes == (f"{first} 補足の続き",)


def test_a_one_column_table_keeps_rows_that_are_not_notes():
    grid = find_table([(1, ["名"]), (2, ["甲"]), (3, ["注"])])
    assert grid.rows == (("甲",),) and grid.notes == ("注",)
    assert find_table([(1, ["名"]), (2, ["甲"])]).notes == ()


def test_a_header_over_two_rows_spans_its_upper_names_to_the_right():
    records = [(1, ["地域", "人口", None, "面積"]), (2, [None, "男", "女", None]),
               (3, ["甲", 1, 2, 3])]
    grid = find_table(records, Layout(header_rows=2))
    assert grid.columns == ("地域", "人口 男", "人口 女", "面積")
    lower_spans_nothing = [(1, ["a", "b"]), (2, ["x", None, None]), (3, [1, 2, 3])]
    with pytest.raises(LayoutError):
        find_table(lower_spans_nothing, Layout(header_rows=2))


def test_a_header_cell_over_lines_is_one_name():
    grid = find_table([(1, ["人口\n（人）", "Total\n population", "a \n b", "人口\nTotal",
                            "Total\n人口", "人a\nb"]), (2, [1, 2, 3, 4, 5, 6])])
    assert grid.columns == ("人口（人）", "Total population", "a b", "人口Total", "Total人口",
                            "人a b")


def test_names_replace_the_header():
    grid = find_table([(1, ["a", "b"]), (2, [1, 2])], Layout(names=("名", "値", "余り")))
    assert grid.columns == ("名", "値", "余り")
    exact = find_table([(1, ["a", "b"]), (2, [1, 2])], Layout(names=("名", "値")))
    assert exact.columns == ("名", "値")


def test_a_body_of_notes_alone_leaves_no_rows():
    grid = find_table([(1, ["名", "値"]), (2, ["注：該当なし"])])
    assert grid.rows == () and grid.notes == ("注：該当なし",)


def test_a_lone_cell_under_a_two_column_table_is_a_note():
    grid = find_table([(1, ["名", "値"]), (2, ["甲", 1]), (3, ["推計による"])])
    assert grid.rows == (("甲", 1),) and grid.notes == ("推計による",)


@pytest.mark.parametrize("records, layout, error", [
    ([(1, [None, ""])], Layout(), (1, "the file has no header row")),
    ([], Layout(), (1, "the file has no header row")),
    ([(1, ["a"]), (2, [1])], Layout(header_rows=3),
     (1, "the header spans 3 rows (header_rows), but the file ends first")),
    ([(1, ["a", "b"]), (2, [1, 2, 3])], Layout(), (2, "this row has 3 cells, the header 2")),
    ([(1, ["a", "b"]), (2, [1, 2])], Layout(names=("名",)),
     (1, "names: gives 1 names for 2 columns")),
    ([(1, ["a", "", "c"]), (2, [1, 2, 3])], Layout(),
     (1, "column 2 has no name in the header row: name the header's line with header_row: in "
         "data/sources.yaml, or the columns with names:")),
    ([(3, ["a"]), (5, [1])], Layout(header_row=4),
     (4, "header_row: 4 is empty or past the end of the file")),
])
def test_layout_mistakes_are_refused_at_their_line(records, layout, error):
    assert _error(records, layout) == error


def test_header_row_names_the_header_line():
    grid = find_table([(1, ["a", "b"]), (2, ["c", "d"]), (3, [1, 2])], Layout(header_row=2))
    assert grid.columns == ("c", "d") and grid.lines == (3,)
