"""Before a command reads or writes a topic: can it reach the broker, trust it, log in, and is it allowed
what it is about to do? Each failure is one line that names the setting (or the ACL) to fix.

Kafka clients hide these causes: kafka-python and aiokafka retry a refused login or an untrusted
certificate until "Unable to bootstrap" (after 30 s, the cause only in a log line), and Faust meets a
missing ACL halfway through its start, with a traceback, and restarts the agent. So each command asks
first, before anything is consumed or committed: one connection through aiokafka's `create_conn`
(which raises the TLS or SASL error itself), then the broker's own answer on what this user may do
(Metadata's authorized operations per topic, FindCoordinator for the group and the transactional id).
"""

from __future__ import annotations

import asyncio
import ssl
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from agents.settings import Security, Settings

CONNECT_TIMEOUT_MS = 15_000
ACL_HELP = "docs/security.md"


class AccessError(Exception):
    """The broker cannot be used as configured: the message is the one line to show the user."""


@dataclass(frozen=True, slots=True)
class Needs:
    """What a command is about to do on the broker."""

    read: tuple[str, ...] = ()  # topics it consumes
    write: tuple[str, ...] = ()  # topics it produces to (created when missing)
    group: str | None = None  # consumer group it joins and commits in
    transactional_id: str | None = None  # one id of those its transactional producers use


def ssl_context(security: Security) -> ssl.SSLContext | None:
    """The TLS context of the SSL and SASL_SSL protocols (None for the others), for aiokafka and Faust."""
    if security.protocol not in ("SSL", "SASL_SSL"):
        return None
    context = ssl.create_default_context(cafile=security.ssl_cafile)
    if security.ssl_certfile:
        context.load_cert_chain(security.ssl_certfile, security.ssl_keyfile)
    return context


def check(settings: Settings, needs: Needs) -> None:
    """Raise AccessError with one line naming what to fix, or return when all of `needs` is allowed."""
    login(settings)
    allowed(settings, needs)


def login(settings: Settings) -> None:
    """Connect (TCP, TLS, SASL) to the first bootstrap server that answers; the most telling failure wins
    when none does (a refused login says more than a refused connection)."""
    failures: list[tuple[int, str]] = []
    for server in settings.bootstrap_servers:
        host, _, port = server.rpartition(":")
        try:
            _run(_connect(host or server, int(port or 9092), settings.security))
            return
        except Exception as exc:  # every failure is explained below; none may escape as a traceback
            failures.append(explain_connect(exc, server, settings.security))
    if not failures:
        raise AccessError("WIRESTREAM_BROKER names no broker (host:port[,host:port...])")
    raise AccessError(max(failures)[1])


async def _connect(host: str, port: int, security: Security) -> None:
    from aiokafka.conn import create_conn

    conn = await create_conn(
        host,
        port,
        client_id="wirestream-preflight",
        request_timeout_ms=CONNECT_TIMEOUT_MS,
        ssl_context=ssl_context(security),
        security_protocol=security.protocol,
        sasl_mechanism=security.sasl_mechanism or "PLAIN",
        sasl_plain_username=security.sasl_username,
        sasl_plain_password=security.sasl_password,
    )
    conn.close()


def _run(coro: Any) -> Any:
    """Run a coroutine on a loop of its own in a thread: the caller's thread keeps no loop state (Faust
    builds its own loop in the main thread afterwards)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="preflight") as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, CONNECT_TIMEOUT_MS / 1000 + 5)).result()


def explain_connect(exc: BaseException, server: str, security: Security) -> tuple[int, str]:
    """(how telling, the line) for a failed connection."""
    from aiokafka import errors

    user = security.sasl_username or "(no user)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = getattr(exc, "verify_message", None) or exc
        return 3, (
            f"the certificate of the broker at {server} is not trusted ({why}): set "
            "WIRESTREAM_SSL_CAFILE to the CA certificate that signed it"
        )
    if isinstance(exc, ssl.SSLError):
        why = getattr(exc, "reason", None) or exc
        return 3, (
            f"TLS with {server} failed ({why}): check WIRESTREAM_SECURITY_PROTOCOL "
            f"({security.protocol}: does the listener speak TLS?) and WIRESTREAM_SSL_*"
        )
    if isinstance(exc, errors.SaslAuthenticationFailed | errors.AuthenticationFailedError):
        return 4, (
            f"the broker at {server} refused the login of {user} ({security.sasl_mechanism or 'PLAIN'}): "
            "check WIRESTREAM_SASL_USERNAME and WIRESTREAM_SASL_PASSWORD"
        )
    if isinstance(exc, errors.UnsupportedSaslMechanismError | errors.IllegalSaslStateError):
        return 4, f"the broker at {server} does not take this login: check WIRESTREAM_SASL_MECHANISM ({exc})"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return 1, (
            f"the broker at {server} did not answer within {CONNECT_TIMEOUT_MS // 1000} s: check "
            f"WIRESTREAM_BROKER and WIRESTREAM_SECURITY_PROTOCOL ({security.protocol})"
        )
    if isinstance(exc, OSError):
        return 0, f"no Kafka broker answers at {server} ({exc.strerror or exc}): check WIRESTREAM_BROKER"
    return 2, (
        f"the broker at {server} closed the connection ({type(exc).__name__}: {exc}): check "
        f"WIRESTREAM_SECURITY_PROTOCOL ({security.protocol}) and the WIRESTREAM_SASL_* / WIRESTREAM_SSL_* "
        "settings"
    )


def allowed(settings: Settings, needs: Needs) -> None:
    """Ask the broker whether this user may do what `needs` lists; raise AccessError on the first no."""
    from kafka.admin import KafkaAdminClient

    from agents.kafka import kafka_security

    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap_servers, **kafka_security(settings))
    try:
        _topics(admin, settings, needs)
        if needs.group is not None:
            _coordinator(admin, "group", needs.group, settings)
        if needs.transactional_id is not None:
            _coordinator(admin, "transactional-id", needs.transactional_id, settings)
    finally:
        admin.close()


def principal(settings: Settings) -> str:
    sec = settings.security
    if sec.sasl_username:
        return f"User:{sec.sasl_username}"
    return "the principal of this client's certificate" if sec.ssl_certfile else "User:ANONYMOUS"


def _grant(settings: Settings, operation: str, kind: str, name: str) -> str:
    return (
        f"{principal(settings)} may not {operation.upper()} {kind} {name}: grant it with an ACL "
        f"(kafka-acls --add --allow-principal {principal(settings)} --operation {operation.title()} "
        f"--{kind} {name}; see {ACL_HELP})"
    )


def _topics(admin: Any, settings: Settings, needs: Needs) -> None:
    wanted: dict[str, list[str]] = {}
    for topic in needs.read:
        wanted.setdefault(topic, []).append("READ")
    for topic in needs.write:
        wanted.setdefault(topic, []).append("WRITE")
    if not wanted:
        return
    for topic in admin.describe_topics(list(wanted)):
        name = topic["name"]
        if topic["error_code"] == 29:  # TOPIC_AUTHORIZATION_FAILED: not even DESCRIBE
            raise AccessError(_grant(settings, wanted[name][0], "topic", name))
        ops = topic.get("authorized_operations")
        if ops is None:  # a broker that does not say: the command finds out itself
            continue
        missing = [op for op in wanted[name] if op not in ops]
        if topic["error_code"] == 3 and "CREATE" not in ops:  # UNKNOWN_TOPIC: created by the command
            missing.append("CREATE")
        if missing:
            raise AccessError(_grant(settings, missing[0], "topic", name))


def _coordinator(admin: Any, kind: str, name: str, settings: Settings) -> None:
    """FindCoordinator answers an authorisation error when the user may not even DESCRIBE the group or
    transactional id (READ on a group, WRITE on a transactional id include DESCRIBE)."""
    from kafka import errors

    try:
        if kind == "group":
            admin.describe_groups([name], include_authorized_operations=True)
        else:
            admin.describe_transactions([name])
    except (errors.GroupAuthorizationFailedError, errors.TransactionalIdAuthorizationFailedError) as exc:
        operation = "read" if kind == "group" else "write"
        raise AccessError(_grant(settings, operation, kind, name)) from exc
    except errors.KafkaError:  # no coordinator yet, no such group or transaction: allowed so far
        return


def worker_needs(settings: Settings) -> Needs:
    """A worker reads its input and hand-over topics and writes all its topics (Faust's own too: the dedup
    table's changelog and the assignor's leader topic), in its group; with exactly_once, its transactional
    ids start with the app id (`<app id>-<topic group>-<partition>`)."""
    from agents.topics import TopicNames

    names = TopicNames(settings.topic_prefix)
    faust_topics = (f"{settings.app_id}-dedup-changelog", f"{settings.app_id}-__assignor-__leader")
    exactly_once = settings.processing_guarantee == "exactly_once"
    return Needs(
        read=(names.raw, names.stage_dedup, names.stage_annotate, *faust_topics),
        write=(*names.partitions(settings.partitions), *faust_topics),
        group=settings.app_id,
        transactional_id=f"{settings.app_id}-0-0" if exactly_once else None,
    )
