"""Local mail sink for the airflow-ml stack: the offline stand-in for Mailpit.

It receives the stack's alert mail over SMTP and serves what it received over HTTP with the
subset of Mailpit's REST API v1 that `airflow-ml alerts list` reads, with Mailpit's JSON field
names, so the CLI works unchanged against either image:

    GET /api/v1/messages?start=N&limit=N   MessagesSummary, newest first (default limit 50)
    GET /api/v1/message/{ID}               Message ({ID} may be "latest")
    GET /livez, GET /readyz                "ok" (the image's healthcheck)

SMTP on MAIL_SINK_SMTP_PORT (default 1025, as Mailpit), no AUTH, no TLS: it is reachable only
on the compose network. HTTP on MAIL_SINK_HTTP_PORT (default 8025). Each message is one JSON
file (the raw message in base64 and the envelope) in the folder of MP_DATABASE (Mailpit's
setting for its database file; default /data), written to a temporary name and renamed, so a
reader never sees half a message. MP_MAX_MESSAGES (default 500, 0 = no limit) keeps the newest
ones, as Mailpit does. Read status and tags are not kept: Read is always false.
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import email.utils
import hashlib
import json
import os
import re
import secrets
import signal
import string
import sys
import threading
import time
from datetime import UTC
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.smtp import SMTP

STORE = Path(os.environ.get("MP_DATABASE") or "/data/mailpit.db").parent
MAX_MESSAGES = int(os.environ.get("MP_MAX_MESSAGES") or "500")
SMTP_PORT = int(os.environ.get("MAIL_SINK_SMTP_PORT") or "1025")
HTTP_PORT = int(os.environ.get("MAIL_SINK_HTTP_PORT") or "8025")
# Alerts are small; this bounds what one client can make the sink write.
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
SNIPPET_CHARS = 250
# Mailpit's IDs are 22 characters of this alphabet (short UUIDs).
ID_ALPHABET = string.ascii_letters + string.digits
FILE_RE = re.compile(r"^(\d{20})-([A-Za-z0-9]{22})\.json$")


def log(message: str) -> None:
    print(f"[mail-sink] {message}", flush=True)


def rfc3339(ns: int) -> str:
    """Go's RFC3339Nano in UTC, as Mailpit writes times: trailing zeros of the fraction cut."""
    seconds, frac = divmod(ns, 1_000_000_000)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    digits = f"{frac:09d}".rstrip("0")
    return f"{text}.{digits}Z" if digits else f"{text}Z"


# --- storage -----------------------------------------------------------------------------


def message_files() -> list[Path]:
    """Stored messages, newest first (file names start with the receive time in ns)."""
    names = [p for p in STORE.iterdir() if FILE_RE.match(p.name)]
    return sorted(names, key=lambda p: p.name, reverse=True)


def store(raw: bytes, mail_from: str, recipients: list[str]) -> str:
    created = time.time_ns()
    message_id = "".join(secrets.choice(ID_ALPHABET) for _ in range(22))
    record = {
        "ID": message_id,
        "Created": created,
        "MailFrom": mail_from,
        "Recipients": recipients,
        "Raw": base64.b64encode(raw).decode("ascii"),
    }
    final = STORE / f"{created:020d}-{message_id}.json"
    tmp = STORE / f".tmp-{message_id}"
    with open(tmp, "x", encoding="utf-8") as f:
        json.dump(record, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, final)
    if MAX_MESSAGES > 0:
        for old in message_files()[MAX_MESSAGES:]:
            old.unlink(missing_ok=True)
    return message_id


def load(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def find(message_id: str) -> Path | None:
    files = message_files()
    if message_id == "latest":
        return files[0] if files else None
    return next((p for p in files if p.name.endswith(f"-{message_id}.json")), None)


# --- parsing, into Mailpit's JSON shapes -------------------------------------------------


class _Text(HTMLParser):
    """HTML to plain text: block ends become line breaks, scripts and styles are dropped."""

    BLOCKS = frozenset(
        ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table")
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def addresses(value: str | None) -> list[dict]:
    if not value:
        return []
    return [
        {"Name": name, "Address": addr}
        for name, addr in email.utils.getaddresses([str(value)])
        if addr
    ]


def one_address(value: str | None) -> dict | None:
    found = addresses(value)
    return found[0] if found else None


def parsed(record: dict) -> dict:
    """The fields both JSON shapes share, and the parts only a full message has."""
    raw = base64.b64decode(record["Raw"])
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text = html = ""
    attachments: list[dict] = []
    inline: list[dict] = []
    for index, part in enumerate(msg.walk()):
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if disposition is None and ctype == "text/plain" and not text:
            text = part.get_content()
        elif disposition is None and ctype == "text/html" and not html:
            html = part.get_content()
        else:
            payload = part.get_payload(decode=True) or b""
            item = {
                "PartID": str(index),
                "FileName": part.get_filename() or "",
                "ContentType": ctype,
                "ContentID": (part.get("Content-ID") or "").strip("<>"),
                "Size": len(payload),
                "Checksums": {
                    "MD5": hashlib.md5(payload).hexdigest(),
                    "SHA1": hashlib.sha1(payload).hexdigest(),
                    "SHA256": hashlib.sha256(payload).hexdigest(),
                },
            }
            (inline if disposition == "inline" else attachments).append(item)
    # MIME lines end in CRLF; the text is served with plain newlines.
    text = text.replace("\r\n", "\n")
    if not text and html:
        text = html_to_text(html)
    to, cc = addresses(msg.get("To")), addresses(msg.get("Cc"))
    shown = {a["Address"].lower() for a in to + cc}
    bcc = addresses(msg.get("Bcc")) or [
        {"Name": "", "Address": r}
        for r in record["Recipients"]
        if r.lower() not in shown
    ]
    created = rfc3339(record["Created"])
    try:
        date = email.utils.parsedate_to_datetime(str(msg.get("Date")))
        date_text = date.astimezone(UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError):
        date_text = created
    snippet = " ".join(text.split())
    if len(snippet) > SNIPPET_CHARS:
        snippet = snippet[:SNIPPET_CHARS] + "..."
    return {
        "ID": record["ID"],
        "MessageID": (msg.get("Message-ID") or "").strip().strip("<>"),
        "From": one_address(msg.get("From")),
        "To": to,
        "Cc": cc,
        "Bcc": bcc,
        "ReplyTo": addresses(msg.get("Reply-To")),
        "ReturnPath": record["MailFrom"],
        "Subject": str(msg.get("Subject") or ""),
        "Created": created,
        "Date": date_text,
        "Size": len(raw),
        "Text": text,
        "HTML": html,
        "Snippet": snippet,
        "Attachments": attachments,
        "Inline": inline,
    }


def summary(record: dict) -> dict:
    p = parsed(record)
    return {
        "ID": p["ID"],
        "MessageID": p["MessageID"],
        "Read": False,
        "From": p["From"],
        "To": p["To"],
        "Cc": p["Cc"],
        "Bcc": p["Bcc"],
        "ReplyTo": p["ReplyTo"],
        "Subject": p["Subject"],
        "Created": p["Created"],
        "Username": "",
        "Tags": [],
        "Size": p["Size"],
        "Attachments": len(p["Attachments"]),
        "Snippet": p["Snippet"],
    }


def message(record: dict) -> dict:
    p = parsed(record)
    return {
        "ID": p["ID"],
        "MessageID": p["MessageID"],
        "From": p["From"],
        "To": p["To"],
        "Cc": p["Cc"],
        "Bcc": p["Bcc"],
        "ReplyTo": p["ReplyTo"],
        "ReturnPath": p["ReturnPath"],
        "Subject": p["Subject"],
        "ListUnsubscribe": {"Header": "", "Links": [], "Errors": "", "HeaderPost": ""},
        "Date": p["Date"],
        "Tags": [],
        "Username": "",
        "Text": p["Text"],
        "HTML": p["HTML"],
        "Size": p["Size"],
        "Inline": p["Inline"],
        "Attachments": p["Attachments"],
    }


# --- HTTP --------------------------------------------------------------------------------


def non_negative(query: dict, key: str, default: int) -> int:
    try:
        value = int(query.get(key, [str(default)])[0])
    except ValueError:
        return default
    return value if value >= 0 else default


class Api(BaseHTTPRequestHandler):
    server_version = "airflow-ml-mail-sink"

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the container log

    def reply(self, status: int, body: object, content_type: str) -> None:
        data = (
            body.encode("utf-8")
            if isinstance(body, str)
            else json.dumps(body, ensure_ascii=False).encode("utf-8")
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/livez", "/readyz"):
            return self.reply(200, "ok", "text/plain; charset=utf-8")
        if url.path == "/api/v1/messages":
            query = parse_qs(url.query)
            start = non_negative(query, "start", 0)
            limit = non_negative(query, "limit", 50) or 50
            files = message_files()
            page = [summary(load(p)) for p in files[start : start + limit]]
            return self.reply(
                200,
                {
                    "total": len(files),
                    "unread": len(files),
                    "count": len(page),
                    "messages_count": len(files),
                    "start": start,
                    "tags": [],
                    "messages": page,
                },
                "application/json",
            )
        match = re.fullmatch(r"/api/v1/message/([A-Za-z0-9]{22}|latest)", url.path)
        path = find(match.group(1)) if match else None
        if path is not None:
            return self.reply(200, message(load(path)), "application/json")
        return self.reply(404, "404 page not found\n", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        self.reply(405, "method not allowed\n", "text/plain; charset=utf-8")

    do_PUT = do_DELETE = do_PATCH = do_POST


# --- SMTP --------------------------------------------------------------------------------


class Handler:
    async def handle_DATA(self, server, session, envelope) -> str:
        message_id = store(
            envelope.content, envelope.mail_from, list(envelope.rcpt_tos)
        )
        log(f"received {message_id} for {', '.join(envelope.rcpt_tos)}")
        return f"250 2.0.0 Ok: queued as {message_id}"


def main() -> None:
    STORE.mkdir(parents=True, exist_ok=True)
    for stale in STORE.glob(".tmp-*"):
        stale.unlink(missing_ok=True)  # a write cut short by a crash
    http = ThreadingHTTPServer(("0.0.0.0", HTTP_PORT), Api)
    threading.Thread(target=http.serve_forever, daemon=True).start()

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def serve() -> None:
        server = await loop.create_server(
            lambda: SMTP(
                Handler(),
                hostname="mail-sink",
                ident="airflow-ml mail sink",
                data_size_limit=MAX_MESSAGE_BYTES,
            ),
            host="0.0.0.0",
            port=SMTP_PORT,
        )
        log(
            f"SMTP on :{SMTP_PORT}, HTTP API on :{HTTP_PORT}, messages in {STORE} "
            f"({len(message_files())} kept, at most {MAX_MESSAGES or 'unlimited'})"
        )
        await stop.wait()
        server.close()
        await server.wait_closed()

    loop.run_until_complete(serve())
    http.shutdown()
    log("stopped")


if __name__ == "__main__":
    sys.exit(main())
