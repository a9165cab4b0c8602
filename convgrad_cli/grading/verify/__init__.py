"""Verify a convolution *implementation*: run it on a ladder of cases and name its mistakes.

The user's code runs in a child process (:mod:`.child`), is called through one of the
conventions of :mod:`.conventions` on the cases of :mod:`.suite`, and each call is judged
(:mod:`.compare`) into the typed records of :mod:`.report`.
"""

from .conventions import CONVENTIONS, Convention, unpack
from .report import ArrayResult, CaseResult, Config, FileResult, UserError, VerifyReport
from .run import verify, verify_file, verify_folder

__all__ = [
    "CONVENTIONS",
    "ArrayResult",
    "CaseResult",
    "Config",
    "Convention",
    "FileResult",
    "UserError",
    "VerifyReport",
    "unpack",
    "verify",
    "verify_file",
    "verify_folder",
]
