"""Build the partner tool's optional C extension; everything else is in pyproject.toml.

``linkage._hmac`` hashes the match keys through OpenSSL's SHA-256 without the
GIL (see ``linkage/_hmac.c``). It is optional: on an agency machine without a C
compiler or the OpenSSL headers (Debian's ``libssl-dev``), setuptools warns and
skips it, and ``linkage.match_keys`` falls back to its pure-Python loop, which
gives the same keys more slowly (``linkage.match_keys.HMAC_BACKEND`` tells which
one runs).
"""

from __future__ import annotations

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "linkage._hmac",
            ["linkage/_hmac.c"],
            libraries=["crypto"],
            # SHA256_Init/Update/Final are deprecated in OpenSSL 3.0 but still
            # shipped; they are what makes a per-message state copy free.
            define_macros=[("OPENSSL_API_COMPAT", "0x10100000L")],
            optional=True,
        )
    ]
)
