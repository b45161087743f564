"""``command``: run a program with the check JSON on stdin — the simplest retraining trigger.

    [[hooks]]
    name = "retrain"
    type = "command"
    command = ["airflow", "dags", "trigger", "retrain_taxi"]   # argv list (no shell), or a string
    on = ["pass"]                                               # only on good data
    timeout = 300
    env = { "AIRFLOW_HOME" = "/opt/airflow" }                  # extra plain variables

The command sees ``DATAGUARD_EVENT``, ``DATAGUARD_DATASET``, ``DATAGUARD_BATCH``,
``DATAGUARD_VERDICT`` and ``DATAGUARD_CHECK_ID`` in its environment (plus the caller's environment).
A string is run by the shell (``sh -c``). A non-zero exit or a timeout is a failed delivery; it is
not retried unless ``retries`` says so explicitly (a retraining job should not start twice by
accident), so the default ``retries`` of a command hook is 0 (and its default ``timeout`` 60 s).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping

import httpx

from dataguard.errors import UsageError
from dataguard.hooks.base import Event, Hook, HookError


class CommandHook(Hook):
    type = "command"
    option_keys = frozenset({"command", "env", "cwd"})
    required_keys = frozenset({"command"})
    default_retries = 0
    default_timeout = 60.0

    def validate(self) -> None:
        command = self.options["command"]
        ok = (isinstance(command, str) and command.strip()) or (
            isinstance(command, list) and command and all(isinstance(c, str) for c in command)
        )
        if not ok:
            raise UsageError(
                f"hook {self.name!r}: 'command' must be a non-empty argv list or a shell string"
            )
        env = self.options.get("env", {})
        if not isinstance(env, Mapping) or not all(isinstance(v, str) for v in env.values()):
            raise UsageError(f"hook {self.name!r}: 'env' must be a table of strings")

    def target(self) -> str:
        command = self.options["command"]
        return command if isinstance(command, str) else shlex.join(command)

    def environment(self, event: Event) -> dict[str, str]:
        r = event.result
        env = dict(os.environ)
        env.update(self.options.get("env", {}))
        env.update(
            {
                "DATAGUARD_EVENT": event.name,
                "DATAGUARD_DATASET": r.dataset,
                "DATAGUARD_BATCH": r.batch,
                "DATAGUARD_VERDICT": r.verdict.value,
                "DATAGUARD_CHECK_ID": "" if r.id is None else str(r.id),
            }
        )
        return env

    def send(self, event: Event, client: httpx.Client) -> None:
        command = self.options["command"]
        shell = isinstance(command, str)
        try:
            proc = subprocess.run(
                command,
                shell=shell,
                input=event.body(),
                capture_output=True,
                env=self.environment(event),
                cwd=self.options.get("cwd"),
                timeout=self.spec.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise HookError(
                f"command timed out after {self.spec.timeout:g} s: {self.target()}", retryable=False
            ) from None
        except OSError as exc:
            raise HookError(f"command could not start: {exc}", retryable=False) from None
        if proc.returncode != 0:
            tail = " ".join(proc.stderr.decode(errors="replace").split())[-200:]
            raise HookError(
                f"command exited with {proc.returncode}: {self.target()}"
                + (f": {tail}" if tail else ""),
                retryable=True,  # only with an explicit `retries` (the default for commands is 0)
            )
