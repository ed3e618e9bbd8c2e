"""A file read as byte chunks reads exactly as the same file read whole: the same lines (split
as a file opened with newline="" splits them), a character or a BOM split between two chunks
joined, and the same refusals with the same positions."""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.services.ingestion import csv_reading
from app.services.ingestion.csv_reading import CsvFileError, FileKind, check_upload, decoded_lines

# Line ends of every kind, separators, quotes and characters of 2, 3 and 4 bytes in UTF-8.
_TEXT = st.text(alphabet=st.sampled_from('ab,"; \r\n\té€😀\u2028\x85'), max_size=60)


def _chunked(content: bytes, sizes: list[int]) -> list[bytes]:
    """`content` cut after each of `sizes` bytes in turn (cycled), the rest at the end."""
    chunks, start, turn = [], 0, 0
    while start < len(content):
        size = sizes[turn % len(sizes)]
        chunks.append(content[start : start + size])
        start += size
        turn += 1
    return chunks


def _refusal(chunks: list[bytes]) -> str:
    with pytest.raises(CsvFileError) as refused:
        list(decoded_lines(chunks))
    return str(refused.value)


@given(_TEXT.filter(str.strip), st.booleans(), st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_chunks_of_any_size_read_as_the_whole_file(text: str, bom: bool, sizes: list[int]) -> None:
    content = (codecs.BOM_UTF8 if bom else b"") + text.encode()
    assert (
        list(decoded_lines(_chunked(content, sizes))) == io.StringIO(text, newline="").readlines()
    )


@pytest.mark.parametrize("char", ["é", "€", "😀"])
def test_a_character_split_between_two_chunks_is_joined(char: str) -> None:
    content = f"name\n{char}x\n".encode()
    for cut in range(len(content)):
        chunks = [content[:cut], content[cut:]]
        assert list(decoded_lines(chunks)) == ["name\n", f"{char}x\n"], cut


def test_a_byte_order_mark_split_between_chunks_is_dropped() -> None:
    content = codecs.BOM_UTF8 + b"a,b\n1,2\n"
    assert list(decoded_lines(_chunked(content, [1]))) == ["a,b\n", "1,2\n"]
    assert list(decoded_lines([codecs.BOM_UTF8[:2], codecs.BOM_UTF8[2:] + b"a\n"])) == ["a\n"]


def test_a_bad_byte_is_reported_with_its_line_whatever_the_chunks() -> None:
    content = "a,b\né,1\n".encode() + b"x,\xff\n" + b"y,2\n"
    expected = (
        "the file is not UTF-8 text (byte 0xff on line 3): save it as CSV UTF-8"  # as a whole
    )
    assert _refusal([content]) == expected
    for sizes in ([1], [2], [3], [5, 1], [len(content) - 1]):
        assert _refusal(_chunked(content, sizes)) == expected, sizes


def test_a_character_cut_short_at_the_end_is_reported() -> None:
    content = b"a\nb\n" + "é".encode()[:1]
    assert _refusal(_chunked(content, [1])) == (
        "the file is not UTF-8 text (byte 0xc3 on line 3): save it as CSV UTF-8"
    )


def test_a_bom_does_not_shift_the_reported_byte() -> None:
    assert "byte 0xfe on line 2" in _refusal([codecs.BOM_UTF8 + b"a\n\xfe\n"])


def test_binary_and_blank_files_are_refused_in_chunks() -> None:
    assert "the file is binary" in _refusal(_chunked(b"a,b\n" * 10 + b"\x00", [3]))
    assert _refusal(_chunked(b" \r\n\t\n" * 5, [2])) == (
        "the file is empty: a header row and at least one data row are needed"
    )


def test_the_check_reads_the_whole_file_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad byte far past the first data row is refused before any job, as when the file was
    checked whole."""
    monkeypatch.setattr(csv_reading, "CHECK_CHUNK_BYTES", 16)
    header = b"category,subcategory,gwp_kg_co2eq_per_kg\n"
    file = io.BytesIO(header + b"ch4,,28\n" * 50 + b"co2,\xe9,1\n")
    with pytest.raises(CsvFileError, match=r"byte 0xe9 on line 52"):
        check_upload(
            file, FileKind.factors, ModuleTypeEnum.process_emissions, DataEntryTypeEnum(50)
        )
    file = io.BytesIO(codecs.BOM_UTF8 + header + "ch4,é,28\n".encode() * 50)
    check_upload(file, FileKind.factors, ModuleTypeEnum.process_emissions, DataEntryTypeEnum(50))


def test_a_blank_first_line_tells_an_empty_file_from_a_headless_one() -> None:
    with pytest.raises(CsvFileError, match="a header row is required"):
        csv_reading.open_table(decoded_lines(_chunked(b"\n\na,b\n1,2\n", [2])))
    with pytest.raises(CsvFileError, match="a header row and at least one data row"):
        csv_reading.open_table(decoded_lines(_chunked(b"\n \n\n", [2])))
