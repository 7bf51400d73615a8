"""The HMAC stage's backends: the OpenSSL C extension and the Python loop give the same tags.

Every tag is checked against the standard library's ``hmac`` (and RFC 4231's
published vectors), on both backends where the extension is built; the C-only
tests are skipped, with the reason shown by ``-ra``, where it is not.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from linkage import MatchKeyer, derive_project_key, encode_fields
from linkage.match_keys import HMAC_BACKEND, HmacBackend, hmac_digests, hmac_messages, hmac_spans
from linkage.policy import MATCH_FIELDS, MatchKeyScheme, MatchPass

C_BUILT = HMAC_BACKEND == "openssl-c"
needs_c = pytest.mark.skipif(
    not C_BUILT,
    reason="linkage._hmac is not built in this install (no C compiler or OpenSSL headers): "
    "only the Python backend runs",
)
BACKENDS: list[HmacBackend] = ["python", "openssl-c"]
backends = pytest.mark.parametrize(
    "backend", [pytest.param(b, marks=needs_c) if b == "openssl-c" else b for b in BACKENDS]
)

# RFC 4231 section 4: (key, data, HMAC-SHA-256); test case 5 publishes the first 128 bits only.
RFC_4231 = [
    (b"\x0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (b"Jefe", b"what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    (b"\xaa" * 20, b"\xdd" * 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    (bytes(range(1, 26)), b"\xcd" * 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    (b"\x0c" * 20, b"Test With Truncation", "a3b6167473100ee06e0c796c2955552b"),
    (
        b"\xaa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ),
    (
        b"\xaa" * 131,
        b"This is a test using a larger than block-size key and a larger than block-size data. "
        b"The key needs to be hashed before being used by the HMAC algorithm.",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    ),
]

# A marker that must never appear in an error message: it stands for record values.
MARKER = b"RECORD-VALUE-9001011234568"


def _pack(messages: list[bytes]) -> tuple[bytes, np.ndarray]:
    starts = np.zeros(len(messages) + 1, dtype=np.int64)
    np.cumsum([len(m) for m in messages], out=starts[1:])
    return b"".join(messages), starts


def _reference(key: bytes, prefix: bytes, messages: list[bytes]) -> bytes:
    return b"".join(hmac.new(key, prefix + m, hashlib.sha256).digest() for m in messages)


def _random_batch(seed: int, n: int) -> tuple[bytes, bytes, list[bytes]]:
    rng = random.Random(seed)
    key = rng.randbytes(rng.choice([0, 1, 16, 32, 63, 64, 65, 100, 200]))
    prefix = rng.randbytes(rng.randrange(0, 90))
    messages = [rng.randbytes(rng.choice([0, 1, 55, 56, 64, rng.randrange(0, 300)])) for _ in range(n)]
    return key, prefix, messages


@backends
@pytest.mark.parametrize(("key", "data", "expected"), RFC_4231)
def test_rfc_4231_vectors_give_the_published_tags(
    backend: HmacBackend, key: bytes, data: bytes, expected: str
) -> None:
    buffer, starts = _pack([data])
    assert hmac_spans(key, buffer, starts, backend=backend).tobytes().hex().startswith(expected)
    # The same message split into a prefix absorbed once and a remainder gives the same tag.
    head, tail = data[:7], data[7:]
    buffer, starts = _pack([tail])
    assert hmac_spans(key, buffer, starts, head, backend=backend).tobytes().hex().startswith(expected)


@backends
@pytest.mark.parametrize("length", [0, 1, 55, 56, 63, 64, 65, 119, 120, 128])
@pytest.mark.parametrize("prefix_length", [0, 9, 64, 70])
def test_messages_at_sha256_padding_boundaries_match_the_standard_library(
    backend: HmacBackend, length: int, prefix_length: int
) -> None:
    key, prefix = bytes(range(32)), bytes(range(100, 100 + prefix_length))
    messages = [bytes([length % 251]) * length, b"", bytes(length)]
    buffer, starts = _pack(messages)
    assert hmac_spans(key, buffer, starts, prefix, backend=backend).tobytes() == _reference(key, prefix, messages)


@backends
@pytest.mark.parametrize("key_length", [0, 1, 32, 63, 64, 65, 100, 1000])
def test_keys_of_any_length_match_the_standard_library(backend: HmacBackend, key_length: int) -> None:
    key = bytes((7 * i) % 256 for i in range(key_length))
    messages = [b"", b"x", "김민준".encode(), b"y" * 200]
    buffer, starts = _pack(messages)
    assert hmac_spans(key, buffer, starts, b"dom", backend=backend).tobytes() == _reference(key, b"dom", messages)


@backends
@pytest.mark.parametrize("seed", range(6))
def test_random_batches_match_the_standard_library(backend: HmacBackend, seed: int) -> None:
    key, prefix, messages = _random_batch(seed, 500)
    buffer, starts = _pack(messages)
    tags = hmac_spans(key, buffer, starts, prefix, backend=backend, threads=1)
    assert tags.shape == (500, 32)
    assert tags.tobytes() == _reference(key, prefix, messages)


@needs_c
@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_c_backend_split_over_threads_equals_the_python_backend(threads: int) -> None:
    key, prefix, messages = _random_batch(42, 20_011)
    buffer, starts = _pack(messages)
    python = hmac_spans(key, buffer, starts, prefix, backend="python")
    c = hmac_spans(key, buffer, starts, prefix, backend="openssl-c", threads=threads)
    assert np.array_equal(c, python)


@needs_c
def test_c_backend_reads_numpy_buffers_and_sub_ranges() -> None:
    from linkage._hmac import hmac_sha256_spans

    key, prefix, messages = _random_batch(7, 300)
    buffer, starts = _pack(messages)
    expected = _reference(key, prefix, messages)
    as_array = np.frombuffer(buffer, dtype=np.uint8)
    assert hmac_sha256_spans(key, prefix, as_array, starts, 0, 300) == expected
    assert hmac_sha256_spans(key, prefix, buffer, starts, 100, 250) == expected[100 * 32 : 250 * 32]
    assert hmac_sha256_spans(key, prefix, buffer, starts, 5, 5) == b""
    out = bytearray(50 * 32)
    assert hmac_sha256_spans(key, prefix, buffer, starts, 200, 250, out) is None
    assert bytes(out) == expected[200 * 32 : 250 * 32]


def test_hmac_digests_and_messages_keep_their_results_with_threads() -> None:
    key, prefix, messages = _random_batch(3, 20_000)
    reference = [hmac.new(key, prefix + m, hashlib.sha256).digest() for m in messages]
    assert hmac_digests(key, messages, prefix) == reference
    assert hmac_digests(key, messages, prefix, threads=2) == reference
    with_gaps: list[bytes | None] = [None, *messages[:50], None]
    assert hmac_messages(key, with_gaps, prefix) == [None, *(t[:16] for t in reference[:50]), None]
    assert hmac_messages(key, [], prefix) == []
    assert hmac_digests(key, [], prefix) == []


def test_match_keys_do_not_depend_on_the_number_of_threads() -> None:
    scheme = MatchKeyScheme("s", 1, (MatchPass("name_birth", ("full_name", "birth_date")),))
    key = derive_project_key(bytes(32), "p", "k1")
    rng = random.Random(5)
    n = 20_000
    names = [
        None if rng.random() < 0.1 else "".join(rng.choices("김이박민준서연", k=rng.randrange(0, 5))) for _ in range(n)
    ]
    data = {name: pd.Series([None] * n, dtype="string[pyarrow]") for name in MATCH_FIELDS}
    data["full_name"] = pd.Series(names, dtype="string[pyarrow]")
    data["birth_date"] = pd.Series([f"19{i % 100:02d}-01-01" for i in range(n)], dtype="string[pyarrow]")
    fields = pd.DataFrame(data)
    one = MatchKeyer(scheme, key, "k1", threads=1).derive(fields)
    two = MatchKeyer(scheme, key, "k1", threads=2).derive(fields)
    assert one.equals(two)
    keys = one.column("mk_name_birth").to_pylist()
    keyer = MatchKeyer(scheme, key, "k1")
    for i in rng.sample(range(n), 200):
        if names[i] is None:
            assert keys[i] is None
            continue
        message = keyer.domain(scheme.passes[0]) + encode_fields([names[i], f"19{i % 100:02d}-01-01"])
        assert keys[i] == hmac.new(key, message, hashlib.sha256).digest()[:16]


def _bad_calls() -> list[tuple[str, Callable[[HmacBackend], object]]]:
    data = MARKER * 4
    good = np.array([0, 26, 52], dtype=np.int64)
    key = MARKER

    def spans(starts: object, buffer: object = data, **kwargs: object) -> Callable[[HmacBackend], object]:
        return lambda backend: hmac_spans(key, buffer, starts, MARKER, backend=backend, **kwargs)  # type: ignore[arg-type]

    return [
        ("offset past the end", spans(np.array([0, 26, 987_654], dtype=np.int64))),
        ("offset one byte past the end", spans(np.array([0, 26, len(data) + 1], dtype=np.int64))),
        ("negative offset", spans(np.array([-987_654, 26, 52], dtype=np.int64))),
        ("decreasing offsets", spans(np.array([0, 52, 26], dtype=np.int64))),
        ("int32 offsets", spans(good.astype(np.int32))),
        ("float offsets", spans(good.astype(np.float64))),
        ("big-endian offsets", spans(good.astype(">i8"))),
        ("two-dimensional offsets", spans(np.array([[0, 26], [26, 52]], dtype=np.int64))),
        ("offsets not an array", spans([0, 26, 52])),
        ("empty offsets", spans(np.array([], dtype=np.int64))),
        ("non-contiguous data", spans(good, np.frombuffer(data * 2, dtype=np.uint8)[::2])),
        ("zero threads", spans(good, threads=0)),
    ]


@backends
@pytest.mark.parametrize(("case", "call"), _bad_calls(), ids=[c for c, _ in _bad_calls()])
def test_bad_arguments_raise_value_error_without_echoing_data(
    backend: HmacBackend, case: str, call: Callable[[HmacBackend], object]
) -> None:
    with pytest.raises(ValueError) as raised:
        call(backend)
    message = str(raised.value)
    assert MARKER.decode() not in message and "987654" not in message and "RECORD" not in message, case


@needs_c
@pytest.mark.parametrize(
    ("first", "last", "out"),
    [(2, 1, None), (-1, 1, None), (0, 3, None), (0, 2, bytearray(63)), (0, 2, bytes(64))],
    ids=["first after last", "negative first", "last past the offsets", "out too small", "out read-only"],
)
def test_c_backend_refuses_bad_ranges_and_outputs(first: int, last: int, out: object) -> None:
    from linkage._hmac import hmac_sha256_spans

    with pytest.raises(ValueError) as raised:
        hmac_sha256_spans(MARKER, MARKER, MARKER * 2, np.array([0, 26, 52], dtype=np.int64), first, last, out)
    assert "RECORD" not in str(raised.value)


@needs_c
def test_c_backend_refuses_a_key_that_is_not_bytes() -> None:
    from linkage._hmac import hmac_sha256_spans

    with pytest.raises(TypeError, match="key must be a bytes-like object"):
        hmac_sha256_spans("a str key", b"", b"", np.array([0], dtype=np.int64), 0, 0)


def test_an_install_without_the_extension_falls_back_to_python() -> None:
    # An agency machine without a compiler installs no linkage._hmac; blocking
    # the import in a fresh interpreter reproduces that install.
    code = (
        "import sys, hmac, hashlib\n"
        "import numpy as np\n"
        "sys.modules['linkage._hmac'] = None\n"
        "from linkage.match_keys import HMAC_BACKEND, hmac_spans, hmac_messages\n"
        "assert HMAC_BACKEND == 'python', HMAC_BACKEND\n"
        "starts = np.array([0, 1], dtype=np.int64)\n"
        "assert hmac_spans(b'k', b'm', starts, b'd').tobytes() == hmac.new(b'k', b'dm', hashlib.sha256).digest()\n"
        "tag = hmac.new(b'k', b'dm', hashlib.sha256).digest()\n"
        "assert hmac_messages(b'k', [None, b'm'], b'd') == [None, tag[:16]]\n"
        "try:\n"
        "    hmac_spans(b'k', b'm', starts, backend='openssl-c')\n"
        "except ValueError as error:\n"
        "    assert 'libssl-dev' in str(error)\n"
        "else:\n"
        "    raise AssertionError('forcing the unbuilt backend did not fail')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
