"""One exception tree for dataguard; each error knows the exit code the CLI turns it into.

    DataguardError                 exit 3 unless a subclass says otherwise
    ├── UsageError                 exit 2  bad flags, unknown dataset/batch/version, bad config
    │   └── BadInputError          exit 2  unreadable input data (names file and line/record)
    ├── StoreError                 exit 3  the database could not be read or written
    ├── ArtifactError              exit 3  an artifact location could not be read or written
    └── RunnerError                exit 3  a Beam runner failed

Messages are one line, name the file / field / argument at fault and, where there is one, the fix.
A failed check is not an error: it is a verdict (exit 1), see ``dataguard.core.models.Verdict``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The pipeline-gate contract of DESIGN.md: data failing is 1, the tool failing is 2 or 3."""

    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2
    INFRASTRUCTURE = 3


class DataguardError(Exception):
    exit_code: ExitCode = ExitCode.INFRASTRUCTURE


class UsageError(DataguardError):
    exit_code = ExitCode.BAD_INPUT


class BadInputError(UsageError):
    """Input data that cannot be read as a batch; the message names the file and line/record."""


class StoreError(DataguardError):
    exit_code = ExitCode.INFRASTRUCTURE


class ArtifactError(DataguardError):
    exit_code = ExitCode.INFRASTRUCTURE


class RunnerError(DataguardError):
    exit_code = ExitCode.INFRASTRUCTURE
