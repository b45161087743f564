"""CSV is decoded the way TFDV's CSV path (tfx_bsl csv_decoder) decodes it, in bounded memory."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from dataguard.errors import BadInputError
from dataguard.io import csv as csv_reader
from dataguard.io.csv import RESTART, infer_column_types, read_record_batches
from dataguard.io.sources import resolve_inputs


def _write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def _table(path: str, **kwargs: object) -> pa.Table:
    return pa.Table.from_batches(list(read_record_batches(resolve_inputs([path], **kwargs))))


def test_column_types_follow_tfdv_rules(tmp_path: Path) -> None:
    path = _write(tmp_path, "i,f,s,e,big,sign,hex\n1,1.5,a,,9223372036854775808,+5,0x1f\n"
                            "2,2,b,,1,7,1\n")
    assert infer_column_types(resolve_inputs([path])) == {
        "i": "INT", "f": "FLOAT", "s": "STRING", "e": "UNKNOWN",
        "big": "STRING",  # past int64: tfx_bsl says STRING
        "sign": "INT",    # Python's int() reads "+5"
        "hex": "STRING",  # Arrow would read 0x1f as 31; Python's int() does not
    }


def test_arrays_are_the_ones_tfdv_feeds_its_generators(tmp_path: Path) -> None:
    table = _write(tmp_path, "i,f,s,e,sign\n1,1.5,a,,+5\n,2,,,7\n")
    table = _table(table)
    assert table.schema.field("i").type == pa.large_list(pa.int64())
    assert table.schema.field("f").type == pa.large_list(pa.float32())
    assert table.schema.field("s").type == pa.large_list(pa.large_binary())
    assert table.schema.field("e").type == pa.null()
    assert table.column("i").to_pylist() == [[1], None]  # empty field = missing, not NaN
    assert table.column("s").to_pylist() == [[b"a"], None]
    assert table.column("f").to_pylist() == [[1.5], [2.0]]
    assert table.column("sign").to_pylist() == [[5], [7]]


def test_quoted_fields_keep_delimiters_newlines_and_quotes(tmp_path: Path) -> None:
    path = _write(tmp_path, 'name;note\n"Smith; J";"line one\nline two"\nx;"say ""hi"""\n')
    table = _table(path, delimiter=";")
    assert table.column("name").to_pylist() == [[b"Smith; J"], [b"x"]]
    assert table.column("note").to_pylist() == [[b"line one\nline two"], [b'say "hi"']]


def test_blank_lines_are_skipped_and_a_row_of_empties_is_all_missing(tmp_path: Path) -> None:
    table = _table(_write(tmp_path, "a,b\n1,2\n\n,\n3,4\n"))
    assert table.column("a").to_pylist() == [[1], None, [3]]


def test_column_names_can_be_given_for_files_without_header(tmp_path: Path) -> None:
    table = _table(_write(tmp_path, "1,x\n2,y\n"), column_names=["n", "s"])
    assert table.column_names == ["n", "s"]
    assert table.num_rows == 2


def test_types_are_judged_over_the_whole_input_across_blocks(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i}\n" for i in range(5000)) + "1.5,x\n"
    path = _write(tmp_path, "a,b\n" + rows)
    spec = resolve_inputs([path])
    two_pass = pa.Table.from_batches(list(read_record_batches(spec, block_size=4096)))
    assert two_pass.schema.field("a").type == pa.large_list(pa.float32())
    assert two_pass.schema.field("b").type == pa.large_list(pa.large_binary())
    items = list(read_record_batches(spec, block_size=4096, speculative=True))
    assert items.count(RESTART) == 1
    after = items[items.index(RESTART) + 1:]
    assert pa.Table.from_batches(after).equals(two_pass)


def test_speculative_reading_needs_no_restart_when_an_empty_column_gets_values(
    taxi: Path,
) -> None:
    # pickup_census_tract is empty for the first thousands of rows: those batches carry it as
    # a null column, which TFDV counts exactly as missing INT values — no second pass.
    spec = resolve_inputs([str(taxi / "train.csv")])
    items = list(read_record_batches(spec, block_size=256 << 10, speculative=True))
    assert RESTART not in items and len(items) > 1
    assert items[0].schema.field("pickup_census_tract").type == pa.null()
    two_pass = list(read_record_batches(spec, block_size=256 << 10))
    assert [b.to_pylist() for b in items] == [b.to_pylist() for b in two_pass]


def test_small_parsed_blocks_are_joined_into_batches_the_first_one_alone(
    taxi: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_reader, "_READ_BLOCK", 64 << 10)
    spec = resolve_inputs([str(taxi / "train.csv")])
    joined = list(read_record_batches(spec, block_size=256 << 10, speculative=True))
    single = list(read_record_batches(spec, block_size=64 << 10, speculative=True))
    assert len(single) > len(joined) > 2
    assert joined[0].num_rows == single[0].num_rows < joined[-2].num_rows
    # An empty column's first values change its type: blocks on either side stay apart.
    assert [r for b in joined for r in b.to_pylist()] == [r for b in single for r in b.to_pylist()]


def test_files_of_a_batch_must_share_their_header(tmp_path: Path) -> None:
    _write(tmp_path, "a,b\n1,2\n", "one.csv")
    _write(tmp_path, "a,c\n1,2\n", "two.csv")
    with pytest.raises(BadInputError, match=r"two\.csv: line 1: header differs"):
        list(read_record_batches(resolve_inputs([str(tmp_path / "*.csv")])))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"data\.csv: empty file"),
        (b"a,b\n", r"data\.csv: no data rows \(header only\)"),
        (b"a,b\n1,2\n3\n4,5\n", r"data\.csv: line 3: expected 2 fields, found 1"),
        (b"a,b\n1,2\n3,4,5\n", r"data\.csv: line 3: expected 2 fields, found 3"),
        (b'a,b\n1,2\n3,"unterminated\n5,6\n', r"data\.csv: line 3: .*unterminated quote"),
        (b"a,b\n1,2\n3,caf\xe9\n", r"data\.csv: line 3: bytes are not UTF-8 text"),
    ],
    ids=["empty", "header-only", "short-row", "long-row", "unterminated-quote", "not-utf8"],
)
def test_bad_csv_is_bad_input_naming_file_and_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = _write(tmp_path, content)
    for speculative in (False, True):
        with pytest.raises(BadInputError, match=message):
            list(read_record_batches(resolve_inputs([path]), speculative=speculative))


def test_a_corrupt_gzipped_csv_is_bad_input(tmp_path: Path) -> None:
    import gzip

    data = gzip.compress(b"a,b\n" + b"1,2\n" * 1000)
    path = _write(tmp_path, data[: len(data) // 2], "data.csv.gz")
    with pytest.raises(BadInputError, match=r"data\.csv\.gz: "):
        list(read_record_batches(resolve_inputs([path])))


def test_gzipped_csv_reads_like_plain(tmp_path: Path) -> None:
    import gzip

    plain = _write(tmp_path, "a,b\n1,x\n2,y\n")
    zipped = tmp_path / "data.csv.gz"
    zipped.write_bytes(gzip.compress(Path(plain).read_bytes()))
    assert _table(str(zipped)).equals(_table(plain))


def test_gs_csv_reads_like_local_and_names_bad_lines(tmp_path: Path, fake_gcs: Path) -> None:
    (fake_gcs / "bucket").mkdir()
    (fake_gcs / "bucket" / "good.csv").write_text("a,b\n1,x\n2,y\n")
    (fake_gcs / "bucket" / "bad.csv").write_text('a,b\n1,x\n2,"y\n')
    local = _write(tmp_path, "a,b\n1,x\n2,y\n")
    assert _table("gs://bucket/good.csv").equals(_table(local))
    for speculative in (False, True):
        spec = resolve_inputs(["gs://bucket/bad.csv"])
        with pytest.raises(BadInputError, match=r"gs://bucket/bad\.csv: line 3: unexpected end"):
            list(read_record_batches(spec, speculative=speculative))


@pytest.mark.parametrize(
    ("late", "kind"),
    [("0x1f", "STRING"), ("+5", "INT"), (" 7", "INT"), ("2.5", "FLOAT"),
     ("99999999999999999999", "STRING"), ("abc", "STRING")],
    ids=["hex", "plus-sign", "space", "float", "past-int64", "text"],
)
def test_one_pass_reading_gives_the_two_pass_result_whatever_comes_late(
    tmp_path: Path, late: str, kind: str
) -> None:
    # Arrow parses numbers in the fast pass; where it would read a value otherwise than
    # Python (so tfx_bsl) does, or a column widens, the reader restarts and reads exactly.
    rows = "".join(f"{i},{i * 0.5}\n" for i in range(3000))
    path = _write(tmp_path, f"n,f\n{rows}{late},{late}\n")
    spec = resolve_inputs([path])
    expected = list(read_record_batches(spec, block_size=8192))
    items = list(read_record_batches(spec, block_size=8192, speculative=True))
    after = items[items.index(RESTART) + 1:] if RESTART in items else items
    assert [b.to_pylist() for b in after] == [b.to_pylist() for b in expected]
    assert infer_column_types(spec)["n"] == kind
