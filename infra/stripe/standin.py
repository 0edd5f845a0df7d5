#!/usr/bin/env python3
"""Local Stripe for Peerlearn: a small HTTP stand-in in front of localstripe.

    python infra/stripe/standin.py --port P --localstripe http://127.0.0.1:L

infra/stack.sh starts localstripe and this stand-in for `dev` and `run` and exports
STRIPE_API_BASE=http://127.0.0.1:P/.

Why it exists: localstripe 1.15.10 does not answer as Stripe's API reference says
(PaymentIntents lack fields, events lack `pending_webhooks`, it rejects
`transfer_group`/`description`/refund `reason`, ignores Idempotency-Key) and has no
Connect, no disputes and few events. The stand-in therefore:

* proxies /v1/payment_intents*, /v1/refunds*, /v1/payment_methods*, /v1/charges* to
  localstripe, stripping the params it rejects, remembering them per object and echoing
  them back, and patching responses to the reference's shapes (PaymentIntent
  `amount_capturable`, `amount_received`, `confirmation_method`, `payment_method_types`,
  `latest_charge` as an id; Charge `amount_captured`, `billing_details`, `disputed`).
  Confirm may carry `payment_method` (set on the PI first; a declined PI may be confirmed
  again) and may be called with a `pk_` key plus the PI's `client_secret`.
* serves Connect in memory: /v1/accounts, /v1/account_links (GET on the link's url plays the
  mentor finishing onboarding and 302s to return_url; links are single-use and expire
  after 300 s, after which they 302 to refresh_url), /v1/transfers, /v1/transfers/{id}/reversals,
  and GET /v1/disputes/{id}, /v1/events/{id}. Transfers from one source_transaction may not
  add up to more than it captured (reversals do not free that amount again).
* caches every POST with an Idempotency-Key per (API key, idempotency key), as Stripe does.
* keeps webhook endpoints per API key (POST/GET /v1/webhook_endpoints, GET/DELETE
  /v1/webhook_endpoints/{id}): every object belongs to the secret key that created it (its
  "Stripe account"), and its events go only to that key's endpoints, so parallel test
  suites with their own sk_test_ keys never see each other's.
  Events are signed like Stripe's (t=...,v1=HMAC-SHA256(secret, "t.body")), delivered in
  order per endpoint, retried 3 times (0.2 s, 1 s, 3 s). payment_intent.succeeded and
  .payment_failed come from localstripe (about 1 s late: localstripe waits before sending);
  account.updated, payment_intent.amount_capturable_updated, payment_intent.canceled,
  refund.created, charge.refunded, transfer.created, transfer.reversed,
  charge.dispute.created and charge.dispute.closed are made here. All connected accounts'
  events go to all of the key's endpoints (no separate Connect endpoints; account.updated
  carries `account`). A refund's `reverse_transfer` is accepted but reverses nothing.

Test helpers (Bearer: the owning secret key):
  POST /_standin/clock                 now=<unix s> (empty: real time): this key's events
                                       (and the objects made here) are created and signed
                                       at that time from now on
  POST /_standin/accounts/{acct}/restrict   payouts_enabled=false, sends account.updated
  POST /_standin/charges/{ch}/dispute  [amount, reason]: a Dispute, charge.dispute.created
  POST /_standin/disputes/{dp}/close   status=won|lost: charge.dispute.closed
  POST /_standin/events/{evt}/resend   the same body again, freshly signed
  GET  /_standin/events[?type=...]     this key's events, newest first
  GET  /_standin/health                200 once localstripe answers and sends its events here
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import re
import secrets
import string
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import ClientError, ClientSession, ClientTimeout, web

API_VERSION = "2026-09-30.endive"  # the version the platform's client sends (Stripe-Version)
RETRIES = (0.2, 1.0, 3.0)
ALNUM = string.ascii_letters + string.digits
OBJECT_NAMES = {"payment_intents": "payment_intent", "refunds": "refund",
                "payment_methods": "payment_method", "charges": "charge"}
# Params localstripe rejects with 400 "Unexpected ...", and how each is echoed back (None:
# accepted, dropped). Types follow Stripe's API reference (the SDK the stand-in was first
# written for refused a whole object over one wrongly typed field).
ECHO_PI: dict[str, Any] = {
    "transfer_group": str, "description": str, "confirmation_method": str, "on_behalf_of": str,
    "receipt_email": str, "statement_descriptor": str, "statement_descriptor_suffix": str,
    "setup_future_usage": str, "cancellation_reason": str, "application_fee_amount": int,
    "automatic_payment_methods": lambda v: {**v, "enabled": v.get("enabled") == "true"},
    "transfer_data": lambda v: {**v, **({"amount": int(v["amount"])} if "amount" in v else {})},
    "payment_method_types": lambda v: v if isinstance(v, list) else [v], "return_url": None, "mandate_data": None, "use_stripe_sdk": None,
    "error_on_requires_action": None, "payment_method_data": None, "client_secret": None,
    "radar_options": None, "shipping": None,
}
ECHO_REFUND: dict[str, Any] = {"reason": str, "description": str, "reverse_transfer": None,
                               "refund_application_fee": None, "instructions_email": None, "origin": None}
# Dispute.evidence: all optional but `enhanced_evidence`; a few of Stripe's nulls for shape.
EVIDENCE_FIELDS = ("customer_email_address", "customer_name", "product_description", "receipt",
                   "service_date", "service_documentation", "uncategorized_file", "uncategorized_text")


class ApiError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None,
                 type_: str = "invalid_request_error", **extra: Any) -> None:
        super().__init__(message)
        self.status, self.body = status, {"type": type_, "message": message, "param": param, **extra}

    def response(self) -> web.Response:
        return reply({"error": self.body}, self.status)


def reply(obj: Any, status: int = 200) -> web.Response:
    return web.json_response(obj, status=status, dumps=lambda o: json.dumps(o, indent=2))


def rid(prefix: str, n: int = 16) -> str:
    return prefix + "".join(secrets.choice(ALNUM) for _ in range(n))


def log(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} standin: {msg}", file=sys.stderr, flush=True)


def missing(kind: str, oid: str, param: str = "id") -> ApiError:
    return ApiError(404, f"No such {kind}: '{oid}'", param, code="resource_missing")


class State:
    def __init__(self, port: int, ls_url: str) -> None:
        self.port, self.ls_url = port, ls_url.rstrip("/")
        self.ls_secret = secrets.token_hex(16)
        self.ready = False
        self.http: ClientSession | None = None
        self.owner: dict[str, str] = {}            # object id -> secret key that owns it
        self.extras: dict[str, dict] = {}          # object id -> params localstripe rejected
        self.captured: dict[str, int] = {}         # PI id -> amount_to_capture (partial captures)
        self.clock: dict[str, int] = {}            # secret key -> pinned "now" (/_standin/clock)
        self.accounts: dict[str, dict] = {}
        self.links: dict[str, dict] = {}
        self.transfers: dict[str, dict] = {}
        self.disputes: dict[str, dict] = {}
        self.endpoints: dict[str, dict] = {}
        self.events: dict[str, dict] = {}          # evt id -> {key, type, body}
        self.event_order: list[str] = []
        self.idem: dict[tuple[str, str], dict] = {}
        self.idem_locks: dict[tuple[str, str], asyncio.Lock] = {}

    def now(self, key: str | None) -> int:
        return self.clock.get(key or "") or int(time.time())

    def owned(self, oid: str, key: str, kind: str, param: str = "id") -> None:
        if self.owner.get(oid) != key:
            raise missing(kind, oid, param)

    def find(self, store: dict, oid: str, key: str, kind: str, param: str = "id") -> dict:
        if oid not in store:
            raise missing(kind, oid, param)
        self.owned(oid, key, kind, param)
        return store[oid]


S: State  # set in main()


# ---- form bodies: bracket notation, as the platform's client and Stripe.js send them

def top(key: str) -> str:
    return key.partition("[")[0]


def nest(pairs: list[tuple[str, str]]) -> dict:
    """`a[b][0]=x&c[]=y` -> {"a": {"b": ["x"]}, "c": ["y"]}; digit-keyed maps become lists."""
    root: dict = {}
    counters: dict[tuple, int] = {}
    for key, val in pairs:
        head, _, tail = key.partition("[")
        parts = [head] + re.findall(r"\[([^\]]*)\]", "[" + tail if tail else "")
        for i, part in enumerate(parts):
            if part == "":  # `x[]`: the next index under this prefix
                n = counters.get(tuple(parts[:i]), 0)
                counters[tuple(parts[:i])] = n + 1
                parts[i] = str(n)
        node = root
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = val
    return listify(root)


def listify(v: Any) -> Any:
    if isinstance(v, dict):
        v = {k: listify(x) for k, x in v.items()}
        if v and all(k.isdigit() for k in v):
            return [v[k] for k in sorted(v, key=int)]
    return v


def split(pairs: list[tuple[str, str]], echo: dict[str, Any]) -> tuple[list, dict]:
    """Pairs for localstripe, and the stripped params to echo (typed)."""
    keep = [(k, v) for k, v in pairs if top(k) not in echo and top(k) != "key"]
    form, echoed = nest([(k, v) for k, v in pairs if top(k) in echo]), {}
    for k, v in form.items():
        try:
            echoed[k] = echo[k](v) if echo[k] is not None else None
        except (ValueError, TypeError, KeyError):
            raise ApiError(400, f"Invalid value for {k}.", k)
    return keep, {k: v for k, v in echoed.items() if echo[k] is not None}


def integer(form: dict, name: str, default: int | None = None) -> int:
    raw = form.get(name)
    if raw is None and default is not None:
        return default
    if not isinstance(raw, str) or not raw.isdigit() or int(raw) <= 0:
        raise ApiError(400, f"Invalid positive integer: {name}", name)
    return int(raw)


def metadata(form: dict) -> dict:
    md = form.get("metadata") or {}
    if not isinstance(md, dict) or not all(isinstance(v, str) for v in md.values()):
        raise ApiError(400, "Invalid metadata: must be a hash of strings", "metadata")
    return md


def required(form: dict, name: str) -> str:
    v = form.get(name)
    if not isinstance(v, str) or not v:
        raise ApiError(400, f"Missing required param: {name}.", name)
    return v


# ---- localstripe and patching its objects

async def ls(method: str, path: str, key: str, pairs: list | None = None,
             body: dict | None = None, query: list | None = None) -> tuple[int, Any]:
    assert S.http is not None
    headers = {"Authorization": f"Bearer {key}"}
    data: str | None = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body), "application/json"
    elif pairs is not None:
        data, headers["Content-Type"] = urlencode(pairs), "application/x-www-form-urlencoded"
    try:
        async with S.http.request(method, S.ls_url + path, data=data, params=query or None,
                                  headers=headers) as r:
            text = await r.text()
    except (ClientError, asyncio.TimeoutError) as e:
        raise ApiError(502, f"localstripe unreachable: {e}", type_="api_error")
    try:
        return r.status, json.loads(text)
    except ValueError:
        return r.status, {"error": {"type": "api_error", "message": text[:200]}}


def patch(o: Any, expand: tuple = ()) -> Any:
    kind = o.get("object") if isinstance(o, dict) else None
    if kind == "list":
        o["data"] = [patch(x) for x in o.get("data", [])]
    elif kind == "payment_intent":
        patch_pi(o, expand)
    elif kind == "charge":
        patch_charge(o)
    elif kind == "refund":
        o.update(S.extras.get(o["id"], {}))
    elif kind == "payment_method":
        o.setdefault("billing_details", {})
    return o


def patch_pi(pi: dict, expand: tuple = ()) -> None:
    status, amount = pi.get("status"), pi.get("amount", 0)
    pi["amount_capturable"] = amount if status == "requires_capture" else 0
    pi["amount_received"] = S.captured.get(pi["id"], amount) if status == "succeeded" else 0
    pi["confirmation_method"] = "automatic"
    pi["payment_method_types"] = ["card"]
    pi.setdefault("transfer_group", None)
    pi.setdefault("description", None)
    pi.pop("charges", None)
    charge = pi.get("latest_charge")
    if isinstance(charge, dict):
        if pi["id"] in S.owner:
            S.owner.setdefault(charge["id"], S.owner[pi["id"]])
        pi["latest_charge"] = patch_charge(charge) if "latest_charge" in expand else charge["id"]
    error = pi.get("last_payment_error")
    if isinstance(error, dict):  # ApiErrors requires `type`
        error.setdefault("type", "card_error")
        if error.get("code") == "card_declined":
            error.setdefault("decline_code", "generic_decline")
    pi.update(S.extras.get(pi["id"], {}))


def patch_charge(ch: dict) -> dict:
    pi_id = ch.get("payment_intent")
    ch["amount_captured"] = S.captured.get(pi_id, ch["amount"]) if ch.get("captured") else 0
    ch.setdefault("billing_details", {"address": None, "email": None, "name": None, "phone": None})
    ch["disputed"] = any(d["charge"] == ch["id"] for d in S.disputes.values())
    ch["transfer_group"] = S.extras.get(pi_id or "", {}).get("transfer_group")
    if isinstance(ch.get("refunds"), dict):
        patch(ch["refunds"])
    return ch


def ls_error(status: int, body: Any, kind: str, oid: str | None) -> ApiError:
    e = dict(body.get("error", {})) if isinstance(body, dict) else {}
    msg = e.pop("message", None) or "Bad request"
    param = msg[len("Unexpected "):].split(",")[0] if msg.startswith("Unexpected ") else None
    if status == 404 and oid:
        return missing(kind, oid)
    type_ = "card_error" if status == 402 else e.pop("type", "invalid_request_error")
    e.pop("type", None)
    if status == 402 and e.get("code") == "card_declined":
        e.setdefault("decline_code", "generic_decline")
    return ApiError(status, msg, param, type_, **e)


async def declined(err: ApiError, key: str, extras: dict) -> ApiError:
    """A 402 from localstripe: own the PI and charge it left behind (its payment_failed
    event follows) and attach the PI to the error, as Stripe does."""
    ch_id = err.body.get("charge")
    if ch_id:
        st, ch = await ls("GET", f"/v1/charges/{ch_id}", key)
        pi_id = ch.get("payment_intent") if st == 200 else None
        if pi_id:
            S.owner.setdefault(pi_id, key)
            S.owner.setdefault(ch_id, key)
            S.extras.setdefault(pi_id, {}).update(extras)
            st, pi = await ls("GET", f"/v1/payment_intents/{pi_id}", key)
            if st == 200:
                err.body["payment_intent"] = patch(pi)
    return err


# ---- events and webhook delivery

def emit(key: str, type_: str, obj: dict, account: str | None = None) -> dict:
    evt = {"id": rid("evt_", 24), "object": "event", "api_version": API_VERSION,
           "created": S.now(key), "data": {"object": obj}, "livemode": False,
           "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None}, "type": type_}
    if account:
        evt["account"] = account
    S.events[evt["id"]] = {"key": key, "type": type_, "body": json.dumps(evt, indent=2)}
    S.event_order.append(evt["id"])
    enqueue(evt["id"])
    return evt


def enqueue(evt_id: str) -> list[str]:
    ev, sent = S.events[evt_id], []
    for ep in S.endpoints.values():
        if ep["key"] == ev["key"] and ("*" in ep["enabled_events"] or ev["type"] in ep["enabled_events"]):
            ep["_queue"].put_nowait(evt_id)
            sent.append(ep["id"])
    return sent


async def deliver_loop(ep: dict) -> None:
    """One worker per endpoint: events go out in the order they were made."""
    assert S.http is not None
    while True:
        evt_id = await ep["_queue"].get()
        ev = S.events[evt_id]
        for pause in (*RETRIES, None):
            t = S.now(ev["key"])  # signed afresh at every attempt, as Stripe does
            sig = hmac.new(ep["secret"].encode(), f"{t}.{ev['body']}".encode(), hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json; charset=utf-8",
                       "Stripe-Signature": f"t={t},v1={sig}"}
            try:
                async with S.http.post(ep["url"], data=ev["body"].encode(), headers=headers,
                                       timeout=ClientTimeout(total=15)) as r:
                    ok, detail = 200 <= r.status < 300, str(r.status)
            except (ClientError, asyncio.TimeoutError, OSError) as e:
                ok, detail = False, type(e).__name__
            log(f"webhook {ev['type']} {evt_id} -> {ep['url']}: {detail}")
            if ok or pause is None:
                break
            await asyncio.sleep(pause)


# ---- middleware: logging, auth, idempotency, errors

def api_key(req: web.Request, pairs: list) -> str | None:
    auth = req.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth[7:].strip() or None
    return dict(pairs).get("key")  # Stripe.js puts its pk_ in the body


# A pk_ (with the PI's client_secret) may only retrieve or confirm a PaymentIntent.
PK_ALLOWED = {"GET": re.compile(r"^/v1/payment_intents/[^/]+$"),
              "POST": re.compile(r"^/v1/payment_intents/[^/]+/confirm$")}
NO_AUTH = ("/_standin/health", "/_standin/localstripe-events", "/connect/onboard/")


@web.middleware
async def middleware(req: web.Request, handler: Any) -> web.StreamResponse:
    t0 = time.monotonic()
    status = 500
    try:
        # A browser's preflight (confirm with pk_ + client_secret from the page); cors() adds the rest.
        resp = web.Response(status=204) if req.method == "OPTIONS" else await guarded(req, handler)
        status = resp.status
        return resp
    except web.HTTPException as e:
        status = e.status
        raise
    finally:
        log(f"{req.method} {req.path_qs} {status} {int((time.monotonic() - t0) * 1000)}ms")


async def guarded(req: web.Request, handler: Any) -> web.StreamResponse:
    try:
        raw = await req.text() if req.method == "POST" else ""
        req["pairs"] = parse_qsl(raw, keep_blank_values=True) if req.method == "POST" \
            else list(req.query.items())
        req["form"] = nest(req["pairs"])
        if not req.path.startswith(NO_AUTH):
            key = api_key(req, req["pairs"])
            if not key:
                raise ApiError(401, "You did not provide an API key. You need to provide your API key "
                               "in the Authorization header, using Bearer auth (e.g. 'Authorization: "
                               "Bearer YOUR_SECRET_KEY').")
            pk_path = PK_ALLOWED.get(req.method)
            pk_ok = key.startswith("pk_") and pk_path is not None and pk_path.match(req.path)
            if not (key.startswith("sk_") and len(key) > 3) and not pk_ok:
                raise ApiError(401, f"Invalid API Key provided: {key[:8]}...")
            req["key"] = key
            if req.method == "POST" and req.headers.get("Idempotency-Key"):
                return await idempotent(req, handler)
        return await handler(req)
    except ApiError as e:
        return e.response()
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        return ApiError(404, f"Unrecognized request URL ({req.method}: {req.path}).").response()


async def idempotent(req: web.Request, handler: Any) -> web.StreamResponse:
    ikey = req.headers["Idempotency-Key"]
    slot = (req["key"], ikey)
    async with S.idem_locks.setdefault(slot, asyncio.Lock()):  # a concurrent twin waits, then replays
        seen = S.idem.get(slot)
        if seen:
            if seen["path"] != req.path:
                raise ApiError(400, "Keys for idempotent requests can only be used for the same endpoint "
                               f"they were first used for ('{seen['path']}' vs '{req.path}'). Try using "
                               f"a key other than '{ikey}' if you meant to execute a different request.",
                               type_="idempotency_error")
            if seen["params"] != sorted(req["pairs"]):
                raise ApiError(400, "Keys for idempotent requests can only be used with the same "
                               f"parameters they were first used with. Try using a key other than "
                               f"'{ikey}' if you meant to execute a different request.",
                               type_="idempotency_error")
            return web.Response(status=seen["status"], body=seen["body"], content_type="application/json",
                                headers={"Idempotent-Replayed": "true", "Idempotency-Key": ikey})
        try:
            resp = await handler(req)
        except ApiError as e:
            resp = e.response()
        # Not kept: failures of the stand-in or localstripe themselves, so a retry runs again.
        if resp.status < 500 and isinstance(resp, web.Response) and resp.body is not None:
            S.idem[slot] = {"path": req.path, "params": sorted(req["pairs"]),
                            "status": resp.status, "body": bytes(resp.body)}
        resp.headers["Idempotency-Key"] = ikey
        return resp


async def cors(req: web.Request, resp: web.StreamResponse) -> None:
    if req.headers.get("Origin"):
        resp.headers["Access-Control-Allow-Origin"] = req.headers["Origin"]
        resp.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key, Stripe-Version"
        resp.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"


# ---- proxied resources

async def proxy(req: web.Request) -> web.Response:
    res, key = req.match_info["res"], req["key"]
    kind = OBJECT_NAMES[res]
    parts = [p for p in req.match_info["tail"].split("/") if p]
    oid, action = (parts + [None, None])[:2]
    form, pairs = req["form"], req["pairs"]
    expand = tuple(form.get("expand") or ())
    if key.startswith("pk_"):  # only PI retrieve/confirm get here (PK_ALLOWED)
        assert oid is not None
        key = S.owner.get(oid) or ""
        if not key:
            raise missing(kind, oid)
        st, pi = await ls("GET", f"/v1/payment_intents/{oid}", key)
        if form.get("client_secret") != pi.get("client_secret"):
            raise ApiError(400, "The client_secret provided does not match any associated PaymentIntent "
                           "on this account.", "client_secret")
    elif oid and oid in S.owner:  # ids it never saw (pm_card_visa, ...) go to localstripe
        S.owned(oid, key, kind)

    if req.method == "GET" or req.method == "DELETE":
        query = [(k, v) for k, v in pairs if top(k) not in ("client_secret", "key")]
        st, body = await ls(req.method, req.path, key, query=query)
    elif res == "payment_intents" and action == "confirm":
        st, body = await confirm(oid, key, form, pairs)
    elif res == "payment_intents" and action in ("capture", "cancel"):
        keep, extras = split(pairs, ECHO_PI)
        allowed = ("amount_to_capture", "expand") if action == "capture" else ("expand",)
        st, body = await ls("POST", req.path, key, [(k, v) for k, v in keep if top(k) in allowed])
        if st == 200:
            S.extras.setdefault(oid, {}).update(extras)
            if action == "capture" and "amount_to_capture" in form:
                S.captured[oid] = int(form["amount_to_capture"])
            if action == "cancel":
                S.extras[oid]["canceled_at"] = S.now(key)
                emit(key, "payment_intent.canceled", patch(body))
    elif res == "payment_intents" and oid and not action:  # update
        keep, extras = split(pairs, ECHO_PI)
        update = {k: v for k, v in nest(keep).items() if k != "expand"}
        if "amount" in update:  # localstripe would store the string
            update["amount"] = integer(update, "amount")
        # JSON: localstripe's own form parsing cannot send null, nor ints to its update.
        st, body = await (ls("POST", req.path, key, body=update) if update else ls("GET", req.path, key))
        if st == 200:
            S.extras.setdefault(oid, {}).update(extras)
    else:  # creates and localstripe's own actions
        keep, extras = split(pairs, ECHO_PI if res == "payment_intents" else
                             ECHO_REFUND if res == "refunds" else {})
        for param in ("payment_intent", "charge") if res == "refunds" else ():
            if form.get(param) in S.owner:
                S.owned(form[param], key, param, param)
        st, body = await ls("POST", req.path, key, keep)
        if st == 402:
            raise await declined(ls_error(st, body, kind, None), key, extras)
        if st == 200 and not oid and isinstance(body, dict) and "id" in body:
            S.owner.setdefault(body["id"], key)
            S.extras.setdefault(body["id"], {}).update(extras)
        if st == 200 and res == "refunds" and not oid:
            await refunded(key, body)
    if st == 402:
        raise await declined(ls_error(st, body, kind, oid), key, {})
    if st != 200:
        raise ls_error(st, body, kind, oid)
    if body.get("object") == "list":  # only this key's objects
        body["data"] = [x for x in body.get("data", []) if S.owner.get(x.get("id")) == key]
    body = patch(body, expand)
    confirmed = action == "confirm" or (res == "payment_intents" and not oid and form.get("confirm") == "true")
    if confirmed and body.get("status") == "requires_capture":
        emit(key, "payment_intent.amount_capturable_updated", body)
    return reply(body)


async def confirm(oid: str, key: str, form: dict, pairs: list) -> tuple[int, Any]:
    """localstripe 500s on confirm with payment_method: set it on the PI, then confirm."""
    st, pi = await ls("GET", f"/v1/payment_intents/{oid}", key)
    if st != 200:
        return st, pi
    status, pm = pi.get("status"), form.get("payment_method")
    if status not in ("requires_payment_method", "requires_confirmation"):
        raise ApiError(400, f"You cannot confirm this PaymentIntent because it has a status of {status}.",
                       code="payment_intent_unexpected_state")
    if not pm and status == "requires_payment_method":
        raise ApiError(400, "You cannot confirm this PaymentIntent because it's missing a payment method. "
                       "Pass a payment_method.", "payment_method", code="payment_intent_unexpected_state")
    if pm:
        st, found = await ls("GET", f"/v1/payment_methods/{pm}", key)
        if st != 200:
            raise missing("PaymentMethod", pm, "payment_method")
        update: dict[str, Any] = {"payment_method": pm}
        if pi.get("status") == "requires_payment_method" and pi.get("latest_charge"):
            update["latest_charge"] = None  # after a decline Stripe lets you confirm again
        st, pi = await ls("POST", f"/v1/payment_intents/{oid}", key, body=update)
        if st != 200:
            return st, pi
    return await ls("POST", f"/v1/payment_intents/{oid}/confirm", key,
                    [(k, v) for k, v in pairs if top(k) == "expand"])


async def refunded(key: str, refund: dict) -> None:
    S.owner.setdefault(refund["id"], key)
    emit(key, "refund.created", patch(refund))
    st, ch = await ls("GET", f"/v1/charges/{refund['charge']}", key)
    if st == 200:
        emit(key, "charge.refunded", patch(ch))


async def localstripe_event(req: web.Request) -> web.Response:
    """localstripe's own events (payment_intent.succeeded/.payment_failed): checked,
    patched, and sent on to the owning key's endpoints."""
    raw = await req.text()
    fields = dict(p.split("=", 1) for p in req.headers.get("Stripe-Signature", "").split(",") if "=" in p)
    want = hmac.new(S.ls_secret.encode(), f"{fields.get('t')}.{raw}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, fields.get("v1", "")):
        return web.Response(status=400, text="bad signature")
    evt = json.loads(raw)
    obj = evt.get("data", {}).get("object", {})
    owner = S.owner.get(obj.get("id", ""))
    if owner:
        emit(owner, evt["type"], patch(obj))
    return web.Response(text="ok")


# ---- Connect, in memory

async def create_account(req: web.Request) -> web.Response:
    form, key = req["form"], req["key"]
    type_ = form.get("type", "standard")
    if type_ not in ("standard", "express", "custom"):
        raise ApiError(400, "Invalid type: must be one of standard, express, or custom", "type")
    caps = form.get("capabilities") or {}
    country = str(form.get("country", "US")).upper()
    acct = {"id": rid("acct_"), "object": "account", "type": type_, "country": country,
            "email": form.get("email"), "created": S.now(key), "business_type": form.get("business_type"),
            "charges_enabled": False, "payouts_enabled": False, "details_submitted": False,
            "default_currency": {"US": "usd", "GB": "gbp", "CA": "cad"}.get(country, "eur"),
            "metadata": metadata(form),
            "capabilities": {name: "inactive" for name, c in caps.items()
                             if isinstance(c, dict) and c.get("requested") == "true"}}
    S.accounts[acct["id"]] = acct
    S.owner[acct["id"]] = key
    return reply(acct)


async def get_account(req: web.Request) -> web.Response:
    return reply(S.find(S.accounts, req.match_info["id"], req["key"], "account"))


async def create_account_link(req: web.Request) -> web.Response:
    form, key = req["form"], req["key"]
    aid = S.find(S.accounts, required(form, "account"), key, "account", "account")["id"]
    if required(form, "type") not in ("account_onboarding", "account_update"):
        raise ApiError(400, "Invalid type: must be one of account_onboarding or account_update", "type")
    link = {"id": rid("link_"), "account": aid, "return_url": required(form, "return_url"),
            "refresh_url": required(form, "refresh_url"), "created": S.now(key), "used": False}
    link["expires_at"] = link["created"] + 300
    S.links[link["id"]] = link
    return reply({"object": "account_link", "created": link["created"], "expires_at": link["expires_at"],
                  "url": f"http://127.0.0.1:{S.port}/connect/onboard/{aid}?link={link['id']}"})


async def onboard(req: web.Request) -> web.Response:
    """The mentor finishing Stripe's hosted onboarding in their browser."""
    link = S.links.get(req.query.get("link", ""))
    if not link or link["account"] != req.match_info["acct"]:
        return web.Response(status=404, text="This link is not valid.")
    key = S.owner[link["account"]]
    if link["used"] or S.now(key) > link["expires_at"]:
        raise web.HTTPFound(link["refresh_url"])  # Stripe: single use, 300 s
    link["used"] = True
    acct = S.accounts[link["account"]]
    acct.update(details_submitted=True, charges_enabled=True, payouts_enabled=True)
    acct["capabilities"] = {name: "active" for name in acct["capabilities"]}
    emit(key, "account.updated", acct, account=acct["id"])
    raise web.HTTPFound(link["return_url"])


async def restrict_account(req: web.Request) -> web.Response:
    key = req["key"]
    acct = S.find(S.accounts, req.match_info["id"], key, "account")
    acct["payouts_enabled"] = False
    emit(key, "account.updated", acct, account=acct["id"])
    return reply(acct)


async def create_transfer(req: web.Request) -> web.Response:
    form, key = req["form"], req["key"]
    amount = integer(form, "amount")
    currency = required(form, "currency").lower()
    dest = required(form, "destination")
    if not S.find(S.accounts, dest, key, "destination", "destination")["payouts_enabled"]:
        raise ApiError(400, "Your destination account needs to have at least one of the following "
                       "capabilities enabled: transfers, crypto_transfers, legacy_payments", "destination")
    source, md = form.get("source_transaction"), metadata(form)
    if source is not None:
        if not source.startswith("ch_") or S.owner.get(source) != key:
            raise missing("charge", source, "source_transaction")
        st, ch = await ls("GET", f"/v1/charges/{source}", key)
        if st != 200 or ch.get("status") != "succeeded" or not ch.get("captured"):
            raise ApiError(400, f"The source transaction {source} has not succeeded.", "source_transaction")
        if ch["currency"] != currency:
            raise ApiError(400, f"The currency of source_transaction's balance transaction ({ch['currency']}) "
                           f"must be the same as the transfer currency ({currency})", "currency")
        # Counted after the await: nothing else runs between this check and the insert.
        left = patch_charge(ch)["amount_captured"] - sum(
            t["amount"] for t in S.transfers.values() if t["source_transaction"] == source)
        if amount > left:
            raise ApiError(400, f"Insufficient funds in the source transaction: {left} {currency} "
                           "left to transfer.", "amount", code="balance_insufficient")
    tid = rid("tr_")
    tr = {"id": tid, "object": "transfer", "amount": amount, "amount_reversed": 0,
          "balance_transaction": None, "created": S.now(key), "currency": currency,
          "description": form.get("description"), "destination": dest,
          "destination_payment": rid("py_"), "livemode": False, "metadata": md,
          "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                        "url": f"/v1/transfers/{tid}/reversals"},
          "reversed": False, "source_transaction": source, "source_type": "card",
          "transfer_group": form.get("transfer_group")}
    S.transfers[tid] = tr
    S.owner[tid] = key
    emit(key, "transfer.created", tr)
    return reply(tr)


async def get_transfer(req: web.Request) -> web.Response:
    tr = S.find(S.transfers, req.match_info["id"], req["key"], "transfer")
    return reply(tr["reversals"] if req.path.endswith("/reversals") else tr)


async def reverse_transfer(req: web.Request) -> web.Response:
    form, key = req["form"], req["key"]
    tr = S.find(S.transfers, req.match_info["id"], key, "transfer")
    tid = tr["id"]
    left = tr["amount"] - tr["amount_reversed"]
    if left == 0:
        raise ApiError(400, f"Transfer {tid} is already fully reversed.", "amount")
    amount = integer(form, "amount", left)
    if amount > left:
        raise ApiError(400, f"You have requested a reversal of {amount}, but only {left} remains "
                       f"on transfer {tid}.", "amount")
    rev = {"id": rid("trr_"), "object": "transfer_reversal", "amount": amount, "balance_transaction": None,
           "created": S.now(key), "currency": tr["currency"], "destination_payment_refund": rid("pyr_"),
           "metadata": metadata(form), "source_refund": None, "transfer": tid}
    tr["amount_reversed"] += amount
    tr["reversed"] = tr["amount_reversed"] == tr["amount"]
    tr["reversals"]["data"].insert(0, rev)
    tr["reversals"]["total_count"] += 1
    S.owner[rev["id"]] = key
    emit(key, "transfer.reversed", tr)
    return reply(rev)


async def create_dispute(req: web.Request) -> web.Response:
    cid, form, key = req.match_info["id"], req["form"], req["key"]
    S.owned(cid, key, "charge")
    st, ch = await ls("GET", f"/v1/charges/{cid}", key)
    if st != 200 or ch.get("status") != "succeeded" or not ch.get("captured"):
        raise ApiError(400, f"Charge {cid} has not succeeded and been captured: nothing to dispute.", "charge")
    ch = patch_charge(ch)
    if ch["disputed"]:
        raise ApiError(400, f"Charge {cid} is already disputed.", "charge")
    amount = integer(form, "amount", ch["amount_captured"])
    if amount > ch["amount_captured"]:
        raise ApiError(400, f"A dispute cannot exceed the captured {ch['amount_captured']}.", "amount")
    now = S.now(key)
    dp = {"id": rid("dp_"), "object": "dispute", "amount": amount, "balance_transactions": [],
          "charge": cid, "created": now, "currency": ch["currency"], "enhanced_eligibility_types": [],
          "evidence": {"enhanced_evidence": {}, **{f: None for f in EVIDENCE_FIELDS}},
          "evidence_details": {"due_by": now + 7 * 86400, "enhanced_eligibility": {}, "has_evidence": False,
                               "past_due": False, "submission_count": 0},
          "is_charge_refundable": False, "livemode": False, "metadata": {},
          "payment_intent": ch.get("payment_intent"), "reason": form.get("reason", "general"),
          "status": "needs_response"}
    S.disputes[dp["id"]] = dp
    S.owner[dp["id"]] = key
    emit(key, "charge.dispute.created", dp)
    return reply(dp)


async def close_dispute(req: web.Request) -> web.Response:
    form, key = req["form"], req["key"]
    dp = S.find(S.disputes, req.match_info["id"], key, "dispute")
    did = dp["id"]
    status = required(form, "status")
    if status not in ("won", "lost"):
        raise ApiError(400, "Invalid status: must be won or lost", "status")
    if dp["status"] in ("won", "lost", "warning_closed", "prevented"):
        raise ApiError(400, f"Dispute {did} is already closed ({dp['status']}).", "status")
    dp["status"] = status
    emit(key, "charge.dispute.closed", dp)
    return reply(dp)


async def get_dispute(req: web.Request) -> web.Response:
    return reply(S.find(S.disputes, req.match_info["id"], req["key"], "dispute"))


# ---- webhook endpoints, events, helpers

def public(ep: dict) -> dict:
    return {k: v for k, v in ep.items() if not k.startswith("_") and k != "key"}


async def create_endpoint(req: web.Request) -> web.Response:
    form, key = req["form"], req["key"]
    url = required(form, "url")
    if not url.startswith(("http://", "https://")):
        raise ApiError(400, "Invalid URL: must be an http(s) URL", "url")
    events = form.get("enabled_events")
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise ApiError(400, "Missing required param: enabled_events.", "enabled_events")
    ep = {"id": rid("we_"), "object": "webhook_endpoint", "api_version": form.get("api_version"),
          "application": None, "created": S.now(key), "description": form.get("description"),
          "enabled_events": events, "livemode": False, "metadata": metadata(form),
          "secret": rid("whsec_", 32), "status": "enabled", "url": url,
          "key": key, "_queue": asyncio.Queue()}
    ep["_task"] = asyncio.create_task(deliver_loop(ep))
    S.endpoints[ep["id"]] = ep
    return reply(public(ep))


async def list_endpoints(req: web.Request) -> web.Response:
    data = [public(e) for e in S.endpoints.values() if e["key"] == req["key"]]
    return reply({"object": "list", "data": data, "has_more": False, "url": "/v1/webhook_endpoints"})


async def endpoint(req: web.Request) -> web.Response:
    ep = S.endpoints.get(req.match_info["id"])
    if not ep or ep["key"] != req["key"]:
        raise missing("webhook_endpoint", req.match_info["id"])
    if req.method == "DELETE":
        ep["_task"].cancel()
        del S.endpoints[ep["id"]]
        return reply({"id": ep["id"], "object": "webhook_endpoint", "deleted": True})
    return reply(public(ep))


def own_event(evt_id: str, key: str) -> dict:
    ev = S.events.get(evt_id)
    if not ev or ev["key"] != key:
        raise missing("event", evt_id)
    return ev


async def get_event(req: web.Request) -> web.Response:
    return reply(json.loads(own_event(req.match_info["id"], req["key"])["body"]))


async def resend_event(req: web.Request) -> web.Response:
    ev = own_event(req.match_info["id"], req["key"])
    return reply({"id": req.match_info["id"], "object": "event", "type": ev["type"],
                  "endpoints": enqueue(req.match_info["id"])})


async def list_events(req: web.Request) -> web.Response:
    want = req.query.get("type")
    data = [json.loads(S.events[i]["body"]) for i in reversed(S.event_order)
            if S.events[i]["key"] == req["key"] and (not want or S.events[i]["type"] == want)]
    return reply({"object": "list", "data": data, "has_more": False, "url": "/_standin/events"})


async def set_clock(req: web.Request) -> web.Response:
    now = req["form"].get("now") or ""
    if now and not now.isdigit():
        raise ApiError(400, "Invalid integer: now", "now")
    if now:
        S.clock[req["key"]] = int(now)
    else:
        S.clock.pop(req["key"], None)
    return reply({"object": "clock", "now": S.now(req["key"]), "pinned": bool(now)})


async def health(req: web.Request) -> web.Response:
    return reply({"ready": S.ready}, 200 if S.ready else 503)


async def register(app: web.Application) -> None:
    """Tells localstripe to send its events here; retried until it answers."""
    assert S.http is not None
    url = f"http://127.0.0.1:{S.port}/_standin/localstripe-events"
    tries = 0
    while True:
        try:
            async with S.http.post(f"{S.ls_url}/_config/webhooks/standin",
                                   data={"url": url, "secret": S.ls_secret}) as r:
                if r.status == 200:
                    S.ready = True
                    log(f"registered with localstripe at {S.ls_url}; ready on 127.0.0.1:{S.port}")
                    return
                log(f"localstripe refused the webhook registration: {r.status}")
        except (ClientError, OSError):
            tries += 1
            if tries % 50 == 0:
                log(f"still waiting for localstripe at {S.ls_url}")
        await asyncio.sleep(0.2)


async def startup(app: web.Application) -> None:
    S.http = ClientSession(timeout=ClientTimeout(total=30))
    app["register"] = asyncio.create_task(register(app))


async def cleanup(app: web.Application) -> None:
    for ep in S.endpoints.values():
        ep["_task"].cancel()
    if S.http:
        await S.http.close()


def main() -> None:
    global S
    ap = argparse.ArgumentParser(description="Local Stripe stand-in in front of localstripe")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--localstripe", required=True, help="e.g. http://127.0.0.1:8420")
    args = ap.parse_args()
    S = State(args.port, args.localstripe)
    app = web.Application(middlewares=[middleware])
    app.on_response_prepare.append(cors)
    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    r = app.router
    r.add_get("/_standin/health", health)
    r.add_post("/_standin/localstripe-events", localstripe_event)
    r.add_post("/_standin/clock", set_clock)
    r.add_post("/_standin/accounts/{id}/restrict", restrict_account)
    r.add_post("/_standin/charges/{id}/dispute", create_dispute)
    r.add_post("/_standin/disputes/{id}/close", close_dispute)
    r.add_post("/_standin/events/{id}/resend", resend_event)
    r.add_get("/_standin/events", list_events)
    r.add_get("/connect/onboard/{acct}", onboard)
    r.add_post("/v1/accounts", create_account)
    r.add_get("/v1/accounts/{id}", get_account)
    r.add_post("/v1/account_links", create_account_link)
    r.add_post("/v1/transfers", create_transfer)
    r.add_get("/v1/transfers/{id}", get_transfer)
    r.add_get("/v1/transfers/{id}/reversals", get_transfer)
    r.add_post("/v1/transfers/{id}/reversals", reverse_transfer)
    r.add_get("/v1/disputes/{id}", get_dispute)
    r.add_post("/v1/webhook_endpoints", create_endpoint)
    r.add_get("/v1/webhook_endpoints", list_endpoints)
    r.add_route("GET", "/v1/webhook_endpoints/{id}", endpoint)
    r.add_route("DELETE", "/v1/webhook_endpoints/{id}", endpoint)
    r.add_get("/v1/events/{id}", get_event)
    for method in ("GET", "POST", "DELETE"):
        r.add_route(method, r"/v1/{res:payment_intents|refunds|payment_methods|charges}{tail:(/.*)?}", proxy)
    log(f"listening on 127.0.0.1:{args.port}, localstripe at {args.localstripe}")
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
