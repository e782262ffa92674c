"""Names shared by the interaction model, the handlers and the APL documents."""

from typing import Final

# Intents (custom).
INTENT_ANSWER = "AnswerIntent"
INTENT_NUMBER = "NumberIntent"
INTENT_BLOOD_PRESSURE = "BloodPressureIntent"
INTENT_SKIP = "SkipIntent"
INTENT_EMERGENCY = "EmergencyIntent"
INTENT_WHO_IS_WATCHING = "WhoIsWatchingIntent"
INTENT_PAIR = "PairIntent"
INTENT_AWAY = "AwayIntent"
INTENT_DATE = "DateIntent"
INTENT_RETURN = "ReturnIntent"
INTENT_SAFE = "SafeIntent"  # 「無事です」 (notices)
INTENT_NEED_HELP = "NeedHelpIntent"  # 「助けが必要です」 (notices)
INTENT_REPLY = "ReplyIntent"  # 「返事をする」 (family on LINE)
INTENT_TELL_FAMILY = "TellFamilyIntent"  # 「娘に伝えて」
INTENT_REPLY_MESSAGE = "ReplyMessageIntent"  # 「明日行くねと伝えて」 (free text)
INTENT_QUIZ = "QuizIntent"  # 「クイズ」 (engagement after the check-in)
INTENT_QUIZ_OFF = "QuizOffIntent"  # 「クイズはいらない」
INTENT_REMINDER = "MedicationReminderIntent"  # 「薬の時間に教えて」
INTENT_REMINDER_OFF = "MedicationReminderOffIntent"  # 「お薬のお知らせはいらない」
INTENT_REMINDER_TIME = "ReminderTimeIntent"  # 「朝8時」: when the reminder rings

# Intents (built in).
INTENT_YES = "AMAZON.YesIntent"
INTENT_NO = "AMAZON.NoIntent"
INTENT_REPEAT = "AMAZON.RepeatIntent"
INTENT_HELP = "AMAZON.HelpIntent"
INTENT_STOP = "AMAZON.StopIntent"
INTENT_CANCEL = "AMAZON.CancelIntent"
INTENT_FALLBACK = "AMAZON.FallbackIntent"
INTENT_NAVIGATE_HOME = "AMAZON.NavigateHomeIntent"

# Slots.
SLOT_ANSWER = "answer"
SLOT_NUMBER = "number"
SLOT_DECIMAL = "decimal"
SLOT_HOURS = "hours"
SLOT_SYSTOLIC = "systolic"
SLOT_DIASTOLIC = "diastolic"
SLOT_SKIP_REASON = "reason"
SLOT_CODE = "code"
SLOT_AWAY_KIND = "kind"
SLOT_UNTIL = "until"
SLOT_SINCE = "since"  # 「明日から入院します」
SLOT_MEMBER = "member"
SLOT_MESSAGE = "message"
SLOT_TIME = "time"

# Custom slot types.
TYPE_ANSWER = "ANSWER"
TYPE_SKIP_REASON = "SKIP_REASON"
TYPE_AWAY_KIND = "AWAY_KIND"
TYPE_FAMILY_MEMBER = "FAMILY_MEMBER"

# 安否 answers to a 災害 notice (ids the notice service reads).
SAFETY_SAFE = "safe"
SAFETY_NEED_HELP = "need_help"

# Skip reasons (ids of SKIP_REASON values).
SKIP_UNKNOWN = "unknown"
SKIP_LATER = "later"

# Session attributes.
ATTR_STATE: Final = "state"
ATTR_LAST_RESPONSE: Final = "last_response"
ATTR_GREETED = "greeted"  # the session has said おはようございます (said once a session)
ATTR_REPEAT_KEPT = "repeat_kept"  # request: the handler kept what 「もう一度」 says
ATTR_FAMILY_REPLY: Final = "family_reply"  # the reply being made: stage, to whom, what
ATTR_LAST_SENDER: Final = "family_last_sender"  # who sent the family message heard last

# Request attributes.
ATTR_PROMPTS = "prompts"

# APL.
APL_INTERFACE = "Alexa.Presentation.APL"
APL_TOKEN = "mimamoriCheckin"
APL_USER_EVENT = "Alexa.Presentation.APL.UserEvent"
APL_EVENT_ANSWER = "answer"
APL_KIND_QUIZ = "quiz"  # the kind of a quiz choice button
APL_DOCUMENT_STAMPS = "stamps"

# Request types.
REQUEST_LAUNCH = "LaunchRequest"
REQUEST_SESSION_ENDED = "SessionEndedRequest"
REQUEST_INTENT = "IntentRequest"
REQUEST_PROACTIVE_SUBSCRIPTION_CHANGED = "AlexaSkillEvent.ProactiveSubscriptionChanged"
REQUEST_EXCEPTION_ENCOUNTERED = "System.ExceptionEncountered"
REQUEST_CONNECTIONS_RESPONSE = "Connections.Response"  # the answer to a permission question

# The voice permission flow of the Reminders API (Connections.SendRequest, AskFor).
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
ASK_FOR = "AskFor"
PERMISSION_GRANTED = "GRANTED"

# Proactive Events the skill publishes (skill-package/skill.json).
EVENT_MESSAGE_ALERT = "AMAZON.MessageAlert.Activated"
APL_TOKEN_FAMILY = "family"  # a family photo or video above the answer buttons
