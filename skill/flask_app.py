"""Serve the skill at ``POST /alexa`` with Alexa request verification."""

from __future__ import annotations

import json
import logging

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope
from flask import Blueprint, Response, abort, request

from backend import bounded_json
from skill.render import apl_document
from skill.verifier import AlexaRequestVerifier, VerificationError, check_skill_id

logger = logging.getLogger(__name__)


class _Serializer(DefaultSerializer):
    """The SDK's serializer, passing the static APL document through as the JSON it already is."""

    def __init__(self, static: tuple[object, ...]) -> None:
        self._static = {id(obj) for obj in static}

    def serialize(self, obj: object) -> object:
        """Serialize like the SDK, but return known static JSON documents unchanged."""
        if id(obj) in self._static:
            return obj
        return super().serialize(obj)


def create_alexa_blueprint(
    skill: CustomSkill, *, skill_id: str, verifier: AlexaRequestVerifier | None
) -> Blueprint:
    """Return a blueprint serving the skill; ``verifier`` None only when explicitly turned off."""
    bp = Blueprint("alexa", __name__)
    serializer = _Serializer(static=(apl_document(),))

    @bp.post("/alexa")
    def alexa() -> Response:
        body = request.get_data(cache=False)
        try:
            if verifier is not None:
                verifier.verify(request.headers, body)
            else:
                check_skill_id(bounded_json.loads(body), skill_id)
        except VerificationError as err:
            logger.warning("Rejected an Alexa request: %s", err.reason)
            abort(400, description="request verification failed")
        except ValueError:
            abort(400, description="malformed JSON")
        try:
            envelope = serializer.deserialize(body.decode("utf-8"), RequestEnvelope)
        except Exception as err:  # the SDK raises its own and various parsing errors
            logger.warning("Rejected an Alexa request: %s", type(err).__name__)
            abort(400, description="malformed request envelope")
        response = skill.invoke(request_envelope=envelope, context=None)
        return Response(
            json.dumps(serializer.serialize(response), ensure_ascii=False),
            mimetype="application/json",
        )

    return bp
