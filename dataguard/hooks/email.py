"""``email``: SMTP with STARTTLS or implicit TLS, a plain-text and an HTML part.

    [[hooks]]
    name = "data-team-mail"
    type = "email"
    host = "smtp.example.com"
    port = 587                       # default: 587 starttls, 465 ssl, 25 none
    security = "starttls"            # starttls (default) | ssl | none; certificates verified
    ca_file = "/etc/ssl/private-ca.pem"   # optional: a private CA to verify the server with
    user_env = "SMTP_USER"           # optional login, both from the environment
    password_env = "SMTP_PASSWORD"
    from = "dataguard@example.com"
    to = ["data-team@example.com"]
    on = ["fail", "warn"]

Each anomaly shows the policy's outcome (fail / warn / ignored) and TFDV's full description.
Everything taken from the data (feature names, descriptions) is HTML-escaped in the HTML part.
SMTP 4xx replies and connection failures are retried; 5xx replies (bad recipient, auth) are not.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import httpx

from dataguard.core.labels import finding_label, outcome_word
from dataguard.errors import UsageError
from dataguard.hooks.base import Event, Hook, HookError, full_description

SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def subject(event: Event) -> str:
    r = event.result
    test = "[TEST] " if event.is_test else ""
    n = len(r.anomalies)
    return f"{test}[dataguard] {r.verdict.value.upper()}: {r.dataset} / {r.batch} ({n} anomalies)"


def plain_text(event: Event) -> str:
    r = event.result
    lines = [
        "This is a test event from `dataguard hooks test`.\n" if event.is_test else "",
        f"Check {r.verdict.value.upper()} for dataset {r.dataset}, batch {r.batch}",
        f"schema version v{r.schema_version}, baseline {r.baseline_batch or '-'}, "
        f"serving {r.serving_batch or '-'}, {r.num_examples} examples",
        "",
    ]
    if r.anomalies:
        lines.append(f"Anomalies ({len(r.anomalies)}):")
        for a in r.anomalies:
            lines.append(
                f"  - {outcome_word(a.outcome)}: {finding_label(a)} [{a.kind.value}, "
                f"{a.severity}] {a.type}: {full_description(a)}"
            )
    exceeded = [m for m in r.metrics if m.exceeded]
    if exceeded:
        lines += ["", "Distances over threshold:"]
        for m in exceeded:
            lines.append(
                f"  - {outcome_word(m.outcome)}: {finding_label(m)} {m.comparison} {m.method} "
                f"{m.value:.4g} > {m.threshold if m.threshold is not None else '-'}"
            )
    link = event.batch_link()
    if link:
        lines += ["", f"Dashboard: {link}"]
    return "\n".join(lines).lstrip("\n") + "\n"


def html_text(event: Event) -> str:
    r = event.result
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(outcome_word(a.outcome))}</td><td>{e(finding_label(a))}</td>"
        f"<td>{e(a.kind.value)}</td><td>{e(a.severity)}</td><td>{e(a.type)}</td>"
        f"<td>{e(full_description(a))}</td></tr>"
        for a in r.anomalies
    )
    table = (
        '<table border="1" cellpadding="4" cellspacing="0"><tr><th>Outcome</th><th>Feature</th>'
        f"<th>Kind</th><th>Severity</th><th>Type</th><th>What</th></tr>{rows}</table>"
        if rows
        else "<p>No anomalies.</p>"
    )
    link = event.batch_link()
    test = (
        "<p><em>Test event from <code>dataguard hooks test</code>.</em></p>"
        if event.is_test
        else ""
    )
    return (
        f"<html><body>{test}<h2>Check {e(r.verdict.value.upper())}: {e(r.dataset)} / "
        f"{e(r.batch)}</h2><p>Schema version v{r.schema_version}; baseline "
        f"{e(r.baseline_batch or '-')}; serving {e(r.serving_batch or '-')}; "
        f"{r.num_examples} examples.</p>{table}"
        + (f'<p><a href="{e(link, quote=True)}">Open in the dashboard</a></p>' if link else "")
        + "</body></html>"
    )


class EmailHook(Hook):
    type = "email"
    option_keys = frozenset(
        {"host", "port", "security", "ca_file", "user_env", "password_env", "from", "to"}
    )
    required_keys = frozenset({"host", "from", "to"})

    def validate(self) -> None:
        security = self.options.get("security", "starttls")
        if security not in SECURITY_PORTS:
            raise UsageError(f"hook {self.name!r}: 'security' must be starttls, ssl or none")
        port = self.options.get("port", SECURITY_PORTS[security])
        if not isinstance(port, int) or not 0 < port < 65536:
            raise UsageError(f"hook {self.name!r}: 'port' must be an integer 1..65535")
        to = self.options["to"]
        if isinstance(to, str):
            to = [to]
        if not to or not all(isinstance(t, str) and "@" in t for t in to):
            raise UsageError(f"hook {self.name!r}: 'to' must be an address or a list of addresses")
        if ("user_env" in self.options) != ("password_env" in self.options):
            raise UsageError(
                f"hook {self.name!r}: set both 'user_env' and 'password_env', or neither"
            )

    @property
    def security(self) -> str:
        return str(self.options.get("security", "starttls"))

    @property
    def port(self) -> int:
        return int(self.options.get("port", SECURITY_PORTS[self.security]))

    @property
    def recipients(self) -> list[str]:
        to = self.options["to"]
        return [to] if isinstance(to, str) else list(to)

    def target(self) -> str:
        to = ", ".join(self.recipients)
        return f"smtp://{self.options['host']}:{self.port} ({self.security}) → {to}"

    def secrets(self) -> list[str]:
        return self.env_secrets("password_env")

    def build(self, event: Event) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = subject(event)
        msg["From"] = self.options["from"]
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="dataguard")
        msg.set_content(plain_text(event))
        msg.add_alternative(html_text(event), subtype="html")
        return msg

    def send(self, event: Event, client: httpx.Client) -> None:
        msg = self.build(event)
        host, port, timeout = str(self.options["host"]), self.port, self.spec.timeout
        shown = f"smtp://{host}:{port}"
        try:
            if self.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=timeout, context=self.tls_context()
                )
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=self.tls_context())
                if "user_env" in self.options:
                    smtp.login(self.env_value("user_env"), self.env_value("password_env"))
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise HookError(
                f"{shown} refused recipients {sorted(exc.recipients)} (SMTP {codes})",
                retryable=all(400 <= c < 500 for c in codes),
            ) from None
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            raise HookError(
                f"{shown} replied {exc.smtp_code}: {' '.join(text.split())[:200]}",
                retryable=400 <= exc.smtp_code < 500,
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise HookError(
                f"{shown}: TLS certificate not trusted ({exc.verify_message}); set 'ca_file' "
                "for a private CA",
                retryable=False,
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise HookError(f"{shown}: {exc} (check 'security')", retryable=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise HookError(
                f"could not send via {shown}: {type(exc).__name__}: {exc}", retryable=True
            ) from None
