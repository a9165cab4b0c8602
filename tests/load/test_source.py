"""Where bytes come from (path, ``-``, inline text), bounded reads, and decoding to text."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from convgrad_cli.errors import InputError
from convgrad_cli.load import source
from convgrad_cli.load.source import INLINE, STDIN, Source, decode, is_inline, read_bytes


@pytest.mark.parametrize(
    ("text", "inline"),
    [("[[1, 2]]", True), (" [1]", True), ("4", True), ("-0.5", True), ("x.csv", False), ("", False)],
)
def test_what_counts_as_inline(text: str, inline: bool) -> None:
    assert is_inline(text) is inline


def test_a_file_named_like_a_number_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("4").write_text("1,2\n")
    assert not is_inline("4")
    assert Source("4").name == "4"


def test_source_names_and_suffixes() -> None:
    assert (Source("-").name, Source("-").suffix) == (STDIN, "")
    assert (Source("[[1]]").name, Source("[[1]]").suffix) == (INLINE, "")
    assert (Source("data/X.CSV").name, Source("data/X.CSV").suffix) == ("data/X.CSV", ".csv")


def test_stdin_is_read_and_its_absence_is_named() -> None:
    assert read_bytes(Source("-"), io.BytesIO(b"1,2")) == b"1,2"
    with pytest.raises(InputError, match="standard input is not available"):
        read_bytes(Source("-"), None)


def test_endless_device_is_refused_not_read_forever(monkeypatch: pytest.MonkeyPatch) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    monkeypatch.setattr(source, "MAX_FILE_BYTES", 2**20)  # the real cap (~400 MiB) works the same, slower
    start = time.monotonic()
    with pytest.raises(InputError) as caught:
        read_bytes(Source("/dev/zero"), None)
    assert str(caught.value) == (
        "/dev/zero: is larger than 1 MiB; convgrad reads arrays of at most 50000000 cells"
    )
    assert time.monotonic() - start < 30


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf[[1,2]]",
        "[[1,2]]".encode("utf-16"),
        "[[1,2]]".encode("utf-16-be").join([b"\xfe\xff", b""]),
        "[[1,2]]".encode("utf-32"),
        b"[[1,2]]",
    ],
    ids=["utf-8 BOM", "utf-16", "utf-16-be", "utf-32", "utf-8"],
)
def test_unicode_text_with_or_without_a_byte_order_mark(data: bytes) -> None:
    assert decode(data, "input") == "[[1,2]]"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "input: the file is empty; give a matrix as JSON, CSV or .npy"),
        (b"\xef\xbb\xbf \n", "input: the file is empty; give a matrix as JSON, CSV or .npy"),
        (
            b"[\xff]",
            "input: is not UTF-8 text (byte 1 cannot be decoded); give JSON or CSV text (UTF-8), or a .npy file",
        ),
        (
            b"1\x002",
            "input: contains a NUL character at offset 1 (UTF-16 without a byte-order mark?); "
            "save the file as UTF-8 text",
        ),
    ],
)
def test_text_that_cannot_be_read(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        decode(data, "input")
    assert str(caught.value) == message


def test_too_much_text_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_TEXT_BYTES", 2**20)
    with pytest.raises(InputError, match="is 2 MiB of text; convgrad parses at most 1 MiB"):
        decode(b"1" * 2**21, "input")
