"""Batches: listing, one batch with its signed payload, its notice PDF, and the decision."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from server import accounts, submissions
from server.api import as_user, call, token
from server.models import User
from server.settings import ServerContext

SubmissionId = Annotated[int, Path(ge=1, le=2**62)]


class DecisionIn(BaseModel):
    decision: str = Field(description="approve | return")
    reason: str | None = Field(default=None, max_length=500)


def router(ctx: ServerContext) -> APIRouter:
    api = APIRouter(tags=["submissions"])

    @api.get("/submissions", summary="Batches of a union and its subordinates")
    async def list_submissions(
        union: str | None = Query(default=None),
        plan_year: int | None = Query(default=None, ge=2000, le=2100),
        status: str | None = Query(default=None, max_length=20),
        access_token: str | None = Depends(token),
    ) -> dict[str, Any]:
        def run(user: User) -> dict[str, Any]:
            target = accounts.union_for(user, union)
            return {"submissions": submissions.list_submissions(user, target, plan_year, status)}

        return await call(as_user(ctx, access_token, run))

    @api.get("/submissions/{submission_id}", summary="One batch with its signed payload")
    async def get_submission(submission_id: SubmissionId,
                             access_token: str | None = Depends(token)) -> dict[str, Any]:
        def run(user: User) -> dict[str, Any]:
            sub = submissions.get_submission(user, submission_id)
            record = submissions.submission_record(sub)
            record.update(payload=sub.payload, signature=sub.signature, payload_sha256=sub.payload_sha256,
                          pdf_sha256=sub.pdf_sha256)
            return record

        return await call(as_user(ctx, access_token, run))

    @api.get("/submissions/{submission_id}/pdf", summary="The notice PDF as submitted", response_class=Response)
    async def get_submission_pdf(submission_id: SubmissionId,
                                 access_token: str | None = Depends(token)) -> Response:
        def run(user: User) -> bytes:
            return bytes(submissions.get_submission(user, submission_id).pdf)

        # Stored as the clerk sent it: a download, never rendered inline by a browser.
        return Response(await call(as_user(ctx, access_token, run)), media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="notice-{submission_id}.pdf"'})

    @api.post("/submissions/{submission_id}/decision", summary="A superior union approves or returns a batch")
    async def decide(body: DecisionIn, submission_id: SubmissionId,
                     access_token: str | None = Depends(token)) -> dict[str, Any]:
        return await call(as_user(ctx, access_token,
                                  lambda user: submissions.decide(ctx, user, submission_id, body.decision, body.reason)))

    return api
