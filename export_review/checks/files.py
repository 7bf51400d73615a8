"""Rules for custom files: allowed types, checked by extension and by content."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from export_review.checks.base import CheckResult, DisclosureCheck
from export_review.checks.identifiers import decode_text
from export_review.messages import text
from export_review.outputs import Output

__all__ = ["AllowedFileTypes"]

# Leading bytes of the binary types we accept; a file whose bytes do not match
# its extension may be an archive or executable renamed to slip through.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "pdf": (b"%PDF-",),
}


class AllowedFileTypes(DisclosureCheck):
    """Fail custom files whose type is not on the policy list, or whose bytes disagree.

    Args:
        extensions: allowed extensions without the dot, lower case.
    """

    name = "AllowedFileTypes"
    version = "1.0"

    def __init__(self, extensions: Sequence[str] = ("csv", "txt", "md", "png", "jpg", "jpeg")
                 ) -> None:
        self.extensions = tuple(sorted({e.lower().lstrip(".") for e in extensions}))

    def settings(self) -> dict[str, Any]:
        return {"extensions": list(self.extensions)}

    def check_file(self, output: Output) -> CheckResult | None:
        if output.file is None:
            return None
        ext = output.file.extension
        name = output.file.filename
        if ext not in self.extensions:
            return self.result("fail", text("rule.file_type.not_allowed", file=name,
                                            allowed=", ".join(self.extensions)),
                               locations=(name,))
        signatures = _SIGNATURES.get(ext)
        content = output.file.content
        matches = (any(content.startswith(s) for s in signatures) if signatures
                   else decode_text(content) is not None)
        if not matches:
            return self.result("fail", text("rule.file_type.mismatch", file=name),
                               locations=(name,))
        return self.result("pass", text("rule.file_type.pass", file=name))
