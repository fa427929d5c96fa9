"""The central server: FastAPI + peewee, SQLite by default, PostgreSQL in production.

Modules: `app` (`create_app`: the HTTP API assembled), `routes/` (one `APIRouter` per concern:
auth, organisation, sync, submissions), `api` (what the routes share: the bearer token, database
work on a worker thread), `errors` (the error envelope), `db` (opening the database, sessions,
write transactions), `models` (tables), `accounts` (unions, users, login, tokens, scope, device keys),
`push` (idempotent outbox records), `members` (member upserts with field ownership, SS-check
requests, confirmations), `submissions` (signed batches, review), `changes` (per-union feed),
`campaigns` (plan types, fees, windows), `jobs` (SS-check worker and registry), `demo`
(`init-demo`), `embedded` (serving in a thread: the desktop demo and the tests), `cli`
(`union-server`). The wire format is `app.protocol`, shared with the client.

Endpoints (JSON; errors are {"problem", "message", "detail"}):
    GET  /time                               server time for the clock-skew check (no auth)
    POST /auth/login, /auth/refresh          tokens (access 15 min, refresh 30 days)
    POST /auth/logout, GET /me
    POST /devices                            register the PC's Ed25519 public key → fingerprint
    POST /devices/{fingerprint}/revoke
    POST /users/{username}/reset-password    by a superior union's account
    GET  /unions                             the caller's union and its subordinates
    GET  /campaigns/current                  plan types + fee split, windows, bank account
    POST /push                               outbox records → one result per record
    GET  /changes?since=N&limit=M&union=     the union's feed in sequence order
    GET  /submissions, /submissions/{id}, /submissions/{id}/pdf
    POST /submissions/{id}/decision          approve / return (superiors)
OpenAPI at /docs and /openapi.json.
"""
