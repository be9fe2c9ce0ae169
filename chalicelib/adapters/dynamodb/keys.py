"""Key formats of the one table; the only module that knows them.

Access patterns (every request path is a GetItem or a Query, never a Scan):

| #  | pattern                               | index | key condition                                   |
|----|---------------------------------------|-------|-------------------------------------------------|
| 1  | post detail (post, events, replies)   | table | PK = POST#<id>                                  |
| 2  | post alone (for an update)            | table | PK = POST#<id>, SK = META                       |
| 3  | feed, all boards: pins, newest first  | GSI8  | GSI8PK = FEED, GSI8SK < cursor (desc)           |
| 4  | feed of one board: pins, newest first | GSI10 | GSI10PK = BOARD#<board>, GSI10SK < cursor (desc)|
| 5  | a user's own posts, newest first      | GSI3  | GSI3PK = AUTHOR#<user>, GSI3SK < cursor (desc)  |
| 6  | global pin in other boards (via 4)    | table | PK = PINCOPY#<post>, SK = BOARD#<board>         |
| 7  | posts with work due (sweep, 督办)      | GSI5  | GSI5PK = DUE, GSI5SK <= <now>                   |
| 8  | user by phone (sign-in)               | table | PK = PHONE#<phone>, SK = USER                   |
| 9  | user by id                            | table | PK = USER#<id>, SK = PROFILE                    |
| 10 | one-time code of a phone              | table | PK = OTP#<phone>, SK = OTP (TTL)                |
| 11 | the unit directory                    | table | PK = DIR, SK begins_with UNIT#                  |
| 12 | one officer                           | table | PK = DIR, SK = OFFICER#<id>                     |
| 13 | officer by phone (sign-in)            | GSI1  | GSI1PK = OFFICER_PHONE#<phone>                  |
| 14 | a unit and its officers (dispatch)    | GSI2  | GSI2PK = UNIT_OFFICERS#<unit> (unit: SK UNIT)   |
| 15 | routing rules                         | table | PK = DIR, SK = ROUTING                          |
| 15b| reply templates                       | table | PK = DIR, SK = TEMPLATES                        |
| 16 | idempotency record                    | table | PK = IDEM#<user>#<key>, SK = IDEM (TTL 24 h)    |
| 17 | outbox of the local stack             | table | PK = OUTBOX, SK > '' (desc)                     |
| 18 | one-time effects of a post (notices)  | table | PK = NOTICE#<post>, SK = <effect key>           |
| 19 | figures, platform-wide and per unit   | table | PK = STATS (all scopes in one Query)            |
| 20 | an officer's SNS subscriptions        | table | PK = DIR, SK = SUBS#<officer>                   |
| 21 | the post of a 110 incident            | table | PK = INCIDENT#<id>, SK = INCIDENT               |
| 22 | a reply link, by its code's hash      | table | PK = LINK#<sha256>, SK = LINK (TTL 72 h)        |
| 23 | posts in a time window (Open311)      | GSI1  | GSI1PK = FEED, GSI1SK BETWEEN <ms range> (desc) |
| 24 | a board's posts in a time window      | GSI2  | GSI2PK = BOARD#<b>, GSI2SK BETWEEN <ms range>   |
| 25 | posts by ids (Open311 id lists)       | table | BatchGetItem PK = POST#<id>, SK = META          |
| 26 | a post's timeline alone               | table | PK = POST#<id>, SK begins_with EVENT#           |
| 27 | timeline entries of all posts by time | GSI1  | GSI1PK = UPDATES, GSI1SK BETWEEN <ms range>     |
| 28 | partner API keys (few)                | table | PK = PARTNER_KEYS, SK = KEY#<id>                |
| 29 | a scope's figures per day (30 days)   | table | PK = DAILY#<scope>, SK BETWEEN <date> (TTL)     |
| 30 | WeChat access token / JS-SDK ticket   | table | PK = WECHAT, SK = TOKEN#access / TOKEN#jsapi    |
| 31 | an account's WeChat openid, channels  | table | PK = CONTACT#<account>, SK = CONTACT            |
| 32 | the account of a WeChat openid        | table | PK = WECHAT#<openid>, SK = BIND                 |
| 33 | a single-use voucher (state, ticket)  | table | PK = VOUCHER#<kind>#<sha256>, SK = VOUCHER (TTL)|
| 34 | an officer's TOTP enrolment           | table | PK = TOTP#<officer>, SK = TOTP                  |
| 35 | posts awaiting review, oldest first   | GSI9  | GSI9PK = REVIEW, GSI9SK > cursor (asc)          |
| 36 | a unit's work queue, one view         | GSI6  | GSI6PK = WORK#<unit>#<bucket>, GSI6SK < / >= now|
| 37 | every unit's work queue, one view     | GSI7  | GSI7PK = WORK#ALL#<bucket>, GSI7SK < / >= now   |
| 38 | a view's count (workbench, board)     | GSI6/7| the same key condition, Select = COUNT          |
| 39 | a photo upload (owner, state, use)    | table | PK = UPLOAD#<id>, SK = UPLOAD (TTL until used)  |

Sort keys of posts in the feed indexes are `<created_at as epoch ms, 13 digits>#<post id>`, so that ties
are broken by id.

The public feeds (3, 4) are one Query per page, pins included (adapters/dynamodb/feeds.py). A pin in force sorts
ahead of every post in the same partition: its key is `P2#<pin ms>#<id>` (global) or `P1#<pin ms>#<id>` (board),
and `P` sorts after every digit, so read newest first the pins come first, global ones before the board's, the
newest pin first; a later page starts below its cursor, a post's key, and never reads a pin. In GSI8 (`FEED`) only
a global pin sorts so (a board pin is a post there); in GSI10 (`BOARD#<board>`) both do, and a global pin is in
every other board's partition by a copy of its card (6), put and deleted in the transaction that writes the post
(a save, a reply, a reschedule). A pin that lapsed still sorts ahead until the first feed read after it: that read
drops it from the pins, shows it among the posts where its creation time places it, and demotes it (its keys
as a post's, its copies deleted, on the condition that its version is still the one read) in one write; no scan,
no timer. A hidden post carries no feed keys and no copy. Both indexes project the card only (items.CARD_ATTRS:
what post_summary_out shows, with `body_head`, the head of the body that gives the whole body's excerpt,
domain/cards.py, and its lengths, never `body`), so a page is read from the index alone. GSI1 and GSI2 keep
every shown post by creation time for the time windows of Open311 (23, 24), which read whole posts.

Events sort as `EVENT#<ms>#<id>` and replies as `REPLY#<ms>#<id>`: one Query on the
post's partition returns the events, the post (`META`) and the replies, each group oldest first.
An upload (39) is claimed by the post or reply that shows it in the same transaction that writes it: a condition
on its owner, its final state and that nothing used it yet, so a photo is never shown twice or by another.
GSI5 is sparse: only posts that still have a deadline or a pending dispatch carry GSI5PK.
GSI9 is sparse: only posts awaiting a review (held for sensitive words, hidden by flags, or a protected post
flagged for review) carry GSI9PK = REVIEW, GSI9SK = `<since ms>#<post id>`; a decision takes it off.
Timeline entries carry GSI1PK = UPDATES and GSI1SK = `<ms>#<event id>` (pattern 27, Open311 request updates);
a `<ms range>` runs from `<start ms>#` to `<end ms>#~`, so that it holds every id of its first and last millisecond.

The table's stream (NEW_AND_OLD_IMAGES) rewrites the public copies (services/publish.py): only records of a post's
partition (`POST#<id>`: its item, replies and timeline) matter, read by adapters/dynamodb/stream.py.

The workbench (36-38) reads sparse partitions, one per unit and bucket (GSI6) and one per bucket for every unit
(GSI7, for leaders and the command center), each sorted by `<ms>#<post id>` of the bucket's time
(domain/work.py): the deadline for `open`, the follow-up for `followups`, the clock's start for `in_progress`,
the resolution for `awaiting_feedback` and `resolved`. `due` and `overdue` are the two halves of the `open`
partition, `GSI6SK >= <now ms>#~` and `GSI6SK < <now ms>#~`, both ascending (at its deadline a post is overdue,
as `Post.deadline_passed` says), so a post turns overdue with no write at all. A post is in at most one bucket
(an official reply moves it out of `open` and `followups`), so it carries two index entries, not one per view:
a separate sparse follow-up index would cost a third write on every change, and a followed-up post is out of
`open` by definition. Two indexes rather than one: every unit's bucket in one partition keeps "all" one Query per
page; a unit's own keeps an officer's page from reading other units'. Both project the keys plus board,
district, assigned_unit and escalation_level (INCLUDE): counts are Select = COUNT on the same key condition (one
Query per view), billed on ~200-byte entries, not whole posts; a page is one Query and one BatchGetItem.
`board` and `district` are a FilterExpression on the one partition read (adapters/dynamodb/work.py): no index
per board or district, since a unit's open work is small.
"""

from __future__ import annotations

META = "META"
FEED = "FEED"
PINNED_GLOBAL, PINNED_BOARD = "P2#", "P1#"  # sort-key prefixes of pinned posts in the feed indexes
PINNED = "P"  # every pinned sort key starts so, and no post's does
DUE = "DUE"
DIR = "DIR"
ROUTING = "ROUTING"
TEMPLATES = "TEMPLATES"
OUTBOX = "OUTBOX"
STATS = "STATS"
UPDATES = "UPDATES"
PARTNER_KEYS = "PARTNER_KEYS"
WECHAT = "WECHAT"
ALL_UNITS = "ALL"
REVIEW = "REVIEW"


def epoch_ms_key(ms: int, ident: str) -> str:
    """Return a sortable key of a time in epoch milliseconds and a tie-breaking id."""
    return f"{ms:013d}#{ident}"


def ms_range(start_ms: int, end_ms: int) -> tuple[str, str]:
    """Return the bounds of a BETWEEN on epoch-ms sort keys: every id from the first to the last millisecond."""
    return f"{start_ms:013d}#", f"{end_ms:013d}#~"


def pinned_key(global_pin: bool, pin_ms: int, post_id: str) -> str:
    """Return a pinned post's sort key in a feed index: above every post's (`P` sorts after digits), a global
    pin above a board pin, the newest pin first (the feeds read newest first)."""
    return f"{PINNED_GLOBAL if global_pin else PINNED_BOARD}{epoch_ms_key(pin_ms, post_id)}"


def post_pk(post_id: str) -> str:
    return f"POST#{post_id}"


def pin_copy_pk(post_id: str) -> str:
    return f"PINCOPY#{post_id}"


def board_pk(board: str) -> str:
    return f"BOARD#{board}"


def author_pk(user_id: str) -> str:
    return f"AUTHOR#{user_id}"


def event_sk(ms: int, event_id: str) -> str:
    return f"EVENT#{epoch_ms_key(ms, event_id)}"


def reply_sk(ms: int, reply_id: str) -> str:
    return f"REPLY#{epoch_ms_key(ms, reply_id)}"


def phone_pk(phone: str) -> str:
    return f"PHONE#{phone}"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def otp_pk(phone: str) -> str:
    return f"OTP#{phone}"


def unit_sk(unit_id: str) -> str:
    return f"UNIT#{unit_id}"


def officer_sk(officer_id: str) -> str:
    return f"OFFICER#{officer_id}"


def officer_phone_pk(phone: str) -> str:
    return f"OFFICER_PHONE#{phone}"


def unit_officers_pk(unit_id: str) -> str:
    return f"UNIT_OFFICERS#{unit_id}"


def idempotency_pk(user_id: str, key: str) -> str:
    return f"IDEM#{user_id}#{key}"


def notice_pk(post_id: str) -> str:
    return f"NOTICE#{post_id}"


def subscriptions_sk(officer_id: str) -> str:
    return f"SUBS#{officer_id}"


def incident_pk(incident_id: str) -> str:
    return f"INCIDENT#{incident_id}"


def partner_key_sk(key_id: str) -> str:
    return f"KEY#{key_id}"


def daily_pk(scope: str) -> str:
    return f"DAILY#{scope}"


def link_pk(code_hash: str) -> str:
    return f"LINK#{code_hash}"


def wechat_token_sk(kind: str) -> str:
    return f"TOKEN#{kind}"


def contact_pk(account_id: str) -> str:
    return f"CONTACT#{account_id}"


def wechat_pk(openid: str) -> str:
    return f"WECHAT#{openid}"


def voucher_pk(kind: str, digest: str) -> str:
    return f"VOUCHER#{kind}#{digest}"


def work_pk(unit_id: str, bucket: str) -> str:
    """Return the workbench partition of a unit's bucket (`ALL_UNITS` for every unit's)."""
    return f"WORK#{unit_id}#{bucket}"


def totp_pk(officer_id: str) -> str:
    return f"TOTP#{officer_id}"


def upload_pk(upload_id: str) -> str:
    return f"UPLOAD#{upload_id}"


def post_id_of_pk(pk: str) -> str | None:
    """Return the post id a partition key names (`POST#<id>`), or None for any other partition."""
    return pk[len("POST#") :] if pk.startswith("POST#") else None
