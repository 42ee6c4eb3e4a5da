#!/usr/bin/env python3
"""A small SMTP server for StreamWarden's email tests (aiosmtpd).

The Rust tests start it as a child process, one per test, through the test kit
(crates/streamwarden-testkit/src/smtp.rs: `SmtpServer`), and read what it received from its
mail directory (crates/streamwarden-notify/tests/email.rs, the end-to-end tests).

Usage
-----
    python3 testing/smtp/server.py --port 0 --mode plain|starttls|smtps \\
        --maildir DIR [--auth USER:PASS] [--cert CERT.pem --key KEY.pem]

--port       Port to listen on (127.0.0.1). 0 lets the system pick a free port.
--mode       plain: SMTP without TLS (no STARTTLS offered).
             starttls: STARTTLS offered and required before anything but EHLO/HELO/NOOP/QUIT.
             smtps: TLS from the first byte (implicit TLS).
--auth       Require AUTH PLAIN or LOGIN with these credentials before MAIL; wrong
             credentials get "535 5.7.8 Authentication credentials invalid". Without it, mail
             is taken without logging in. In starttls mode AUTH is only offered after STARTTLS.
--maildir    Where each received message is written.
--cert/--key PEM certificate and key for starttls and smtps (e.g. self-signed, made by
             `openssl req -x509 ...` in the test).

Once listening it prints one line `READY <port>` on stdout (the real port when --port is 0).
Every received message n (1, 2, ...) becomes two files in DIR:

    <n>.eml   the raw message as received (RFC 5322)
    <n>.json  written after the .eml (atomically, so it is complete when it exists):
              {"n", "mail_from", "rcpt_tos" (envelope), "auth_user" (null without AUTH),
               "tls" (the session was encrypted), "subject" (decoded),
               "from"/"to"/"cc": [{"name", "addr"}], "content_type" (of the whole message),
               "message_id", "date",
               "parts": [{"content_type", "charset", "transfer_encoding", "content" (decoded)}],
               "text" and "html" (the decoded text/plain and text/html parts, or null)}
              Decoded text has LF line ends (CRLF on the wire).

Needs aiosmtpd (tested with 1.4.6): `python3 -m pip install 'aiosmtpd==1.4.6'`
(scripts/test.sh installs it). Without it the server exits with status 3 and says so.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import ssl
import sys
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.stderr.write(
        "testing/smtp/server.py: the Python package aiosmtpd is not installed for "
        f"{sys.executable}; install it with: python3 -m pip install 'aiosmtpd==1.4.6' "
        "(scripts/test.sh does)\n"
    )
    sys.exit(3)


def addresses(header):
    if header is None:
        return []
    return [
        {"name": a.display_name or None, "addr": a.addr_spec} for a in header.addresses
    ]


def lf(text):
    """Decoded text with CRLF line ends turned into LF (None stays None)."""
    return None if text is None else text.replace("\r\n", "\n")


def describe(raw: bytes) -> dict:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        parts.append(
            {
                "content_type": part.get_content_type(),
                "charset": part.get_content_charset(),
                "transfer_encoding": part.get("Content-Transfer-Encoding"),
                "content": lf(part.get_content()),
            }
        )
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return {
        "subject": msg["subject"],
        "from": addresses(msg["from"]),
        "to": addresses(msg["to"]),
        "cc": addresses(msg["cc"]),
        "content_type": msg.get_content_type(),
        "message_id": msg["message-id"],
        "date": msg["date"],
        "parts": parts,
        "text": lf(text.get_content()) if text is not None else None,
        "html": lf(html.get_content()) if html is not None else None,
    }


class Handler:
    def __init__(self, maildir: str):
        self.maildir = maildir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        n = self.count
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        with open(os.path.join(self.maildir, f"{n}.eml"), "wb") as f:
            f.write(raw)
        auth_user = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            auth_user = session.auth_data.login.decode("utf-8", "replace")
        transport = server.transport
        tls = transport is not None and transport.get_extra_info("ssl_object") is not None
        record = {
            "n": n,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_user": auth_user,
            "tls": tls,
        }
        try:
            record.update(describe(raw))
        except Exception as e:  # keep the message; the test shows why it did not parse
            record["parse_error"] = repr(e)
        tmp = os.path.join(self.maildir, f".{n}.json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=2)
        os.replace(tmp, os.path.join(self.maildir, f"{n}.json"))
        return "250 2.0.0 OK: queued as " + str(n)


def main() -> None:
    parser = argparse.ArgumentParser(description="SMTP test server for StreamWarden")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=["plain", "starttls", "smtps"], required=True)
    parser.add_argument("--auth", help="USER:PASS required before MAIL")
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    if args.mode != "plain" and not (args.cert and args.key):
        parser.error(f"--mode {args.mode} needs --cert and --key")
    os.makedirs(args.maildir, exist_ok=True)

    tls_context = None
    if args.mode != "plain":
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)

    credentials = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep:
            parser.error("--auth must be USER:PASS")
        credentials = (user.encode(), password.encode())

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and (auth_data.login, auth_data.password) == credentials
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    handler = Handler(args.maildir)
    # AUTH over a connection that is already TLS (smtps) or deliberately plain is wanted here.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.basicConfig(level=logging.ERROR, format="%(name)s: %(message)s")

    def factory():
        return SMTP(
            handler,
            hostname="streamwarden-test-smtp",
            enable_SMTPUTF8=True,
            tls_context=tls_context if args.mode == "starttls" else None,
            require_starttls=args.mode == "starttls",
            authenticator=authenticator if credentials else None,
            auth_required=credentials is not None,
            auth_require_tls=args.mode == "starttls",
        )

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            factory,
            host="127.0.0.1",
            port=args.port,
            ssl=tls_context if args.mode == "smtps" else None,
        )
        port = server.sockets[0].getsockname()[1]
        print(f"READY {port}", flush=True)
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
