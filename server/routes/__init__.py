"""The HTTP API by concern: each module's `router(ctx)` builds one `APIRouter`.

- auth: login, tokens, the caller's account, device keys, password resets;
- organisation: the union tree and the campaign's configuration;
- sync: server time, push, the change feed;
- submissions: batches, their notice PDFs and the superior union's decision.
"""
