"""Build the one skill object that every host serves."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder

from backend.services.context import Services
from skill import (
    answers,
    away,
    engagement,
    event_handlers,
    exercise,
    family_relay,
    family_reply,
    interceptors,
    reminders,
    repair,
    safety,
    session,
)


def build_skill_builder(services: Services, skill_id: str | None) -> SkillBuilder:
    """Return a SkillBuilder with handlers from specific to generic."""
    sb = SkillBuilder()
    sb.skill_id = skill_id  # type: ignore[assignment]  # the SDK leaves it unannotated as None
    handler: AbstractRequestHandler
    for handler in (
        safety.EmergencyInMessageHandler(services),
        *family_relay_handlers(services),
        *family_reply_handlers(services),
        session.LaunchRequestHandler(services),
        safety.EmergencyIntentHandler(services),
        *engagement_handlers(services),
        exercise.ExerciseHelpHandler(services),
        exercise.ExerciseAnswerHandler(services),
        *reminder_handlers(services),
        session.PairIntentHandler(services),
        away.AwayIntentHandler(services),
        away.DateIntentHandler(services),
        away.ReturnIntentHandler(services),
        answers.AnswerIntentHandler(services),
        answers.NumberIntentHandler(services),
        answers.BloodPressureIntentHandler(services),
        answers.YesIntentHandler(services),
        answers.NoIntentHandler(services),
        answers.SkipIntentHandler(services),
        safety.SafeIntentHandler(services),
        safety.NeedHelpIntentHandler(services),
        answers.TouchAnswerHandler(services),
        session.WhoIsWatchingIntentHandler(services),
        repair.RepeatIntentHandler(),
        repair.HelpIntentHandler(services),
        session.StopIntentHandler(services),
        session.SessionEndedRequestHandler(services),
        repair.FallbackIntentHandler(services),
        event_handlers.ProactiveSubscriptionChangedHandler(services),
        event_handlers.ExceptionEncounteredHandler(),
        event_handlers.UnhandledRequestHandler(),
    ):
        sb.add_request_handler(handler)
    sb.add_global_request_interceptor(interceptors.LocalizationInterceptor())
    sb.add_global_request_interceptor(interceptors.RedactedRequestLogger())
    sb.add_global_request_interceptor(family_reply.ReplyStateInterceptor())
    sb.add_global_response_interceptor(interceptors.RepeatCacheInterceptor())
    sb.add_exception_handler(repair.NotFoundExceptionHandler())
    catch_all = repair.CatchAllExceptionHandler()
    sb.add_exception_handler(
        event_handlers.UnknownIntentExceptionHandler(
            repair.FallbackIntentHandler(services), catch_all
        )
    )
    sb.add_exception_handler(catch_all)
    return sb


def family_relay_handlers(services: Services) -> tuple[AbstractRequestHandler, ...]:
    """Return the handlers of family messages, which go before the check-in's."""
    return (
        family_relay.FamilyMessagesLaunchHandler(services),
        family_relay.FamilyMessagesYesHandler(services),
        family_relay.FamilyMessagesNoHandler(services),
        family_relay.ReplyOfferYesHandler(services),
        family_relay.ReplyOfferNoHandler(services),
    )


def engagement_handlers(services: Services) -> tuple[AbstractRequestHandler, ...]:
    """Return the handlers of the quiz after the check-in, before the check-in's own."""
    return (
        engagement.QuizOfferYesHandler(services),
        engagement.QuizOfferWordsHandler(services),
        engagement.QuizAnswerHandler(services),
        engagement.QuizIntentHandler(services),
        engagement.QuizOffIntentHandler(services),
    )


def reminder_handlers(services: Services) -> tuple[AbstractRequestHandler, ...]:
    """Return the handlers of the medication reminder, in their stages before the check-in's."""
    return (
        reminders.ReminderOfferHandler(services),
        reminders.ReminderTimeHandler(services),
        reminders.ReminderHelpHandler(services),
        reminders.ReminderIntentHandler(services),
        reminders.ReminderOffIntentHandler(services),
        reminders.PermissionResponseHandler(services),
        reminders.ReminderTimeElsewhereHandler(services),
    )


def family_reply_handlers(services: Services) -> tuple[AbstractRequestHandler, ...]:
    """Return the handlers of the elder's replies to family (「返事をする」「娘に伝えて」)."""
    return (
        family_reply.ReplyIntentHandler(services),
        family_reply.TellFamilyIntentHandler(services),
        family_reply.ReplyMessageIntentHandler(services),
        family_reply.ReplyYesHandler(services),
        family_reply.ReplyNoHandler(services),
    )


def build_skill(services: Services, skill_id: str | None) -> CustomSkill:
    """Return the skill object."""
    return build_skill_builder(services, skill_id).create()
