"""Serve the skill at ``POST /alexa`` with Alexa request verification."""

from __future__ import annotations

import json
import logging
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from flask import Blueprint, Response, abort, request

from backend import bounded_json
from skill.envelope import MalformedEnvelope, check_envelope, empty_response, read_envelope
from skill.render import apl_document
from skill.verifier import AlexaRequestVerifier, VerificationError, check_skill_id

logger = logging.getLogger(__name__)


class _Serializer(DefaultSerializer):
    """The SDK's serializer, passing the static APL document through as the JSON it already is."""

    def __init__(self, static: tuple[object, ...]) -> None:
        self._static = {id(obj) for obj in static}

    def serialize(self, obj: object) -> Any:  # the SDK's two base classes disagree on the type
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
                data = verifier.verify(request.headers, body)
            else:
                data = bounded_json.loads(body)
                check_skill_id(data, skill_id)
            check_envelope(data)
            envelope = read_envelope(data, serializer)
        except VerificationError as err:
            logger.warning("Rejected an Alexa request: %s", err.reason)
            abort(400, description="request verification failed")
        except MalformedEnvelope as err:
            logger.warning("Rejected an Alexa request: %s", err)
            abort(400, description="malformed request envelope")
        except ValueError:
            abort(400, description="malformed JSON")
        if envelope is None:
            return Response(json.dumps(empty_response()), mimetype="application/json")
        response = skill.invoke(request_envelope=envelope, context=None)
        return Response(
            json.dumps(serializer.serialize(response), ensure_ascii=False),
            mimetype="application/json",
        )

    return bp
