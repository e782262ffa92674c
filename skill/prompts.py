"""The words the speaker says and shows, by prompt key (ja-JP)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from questions.intro import INTRO_JA_JP, count_words, intro_key
from skill.engagement_prompts import JA_JP as ENGAGEMENT_JA_JP
from skill.exercise_prompts import JA_JP as EXERCISE_JA_JP
from skill.reminder_prompts import JA_JP as REMINDER_JA_JP
from skill.reminder_prompts import format_clock

JA_JP: dict[str, str] = {
    "greeting_morning": "{name}さん、おはようございます。",
    "greeting_day": "{name}さん、こんにちは。",
    "greeting_evening": "{name}さん、こんばんは。",
    **INTRO_JA_JP,  # intro, resume and their variants (the dashboard previews them too)
    "already_done": "今日の{slot}の分は、もう伺っています。ありがとうございました。",
    "no_slot_yet": "今はまだ、お話しする時間ではありません。{slot}の{start}ごろに、また呼んでくださいね。",
    "ack": "ありがとうございます。",
    "ack_concern": "それは心配ですね。どうぞ無理をなさらないでくださいね。",
    # A care phrase after a worrying answer, by question id and answer (else ack / ack_concern).
    "care.sleep.slept_poorly": "眠れなかったのですね。今日は、ゆっくりなさってくださいね。",
    "care.medication.no": "まだなのですね。このあと、忘れずに飲んでくださいね。",
    "care.breakfast.not_ate": "まだなのですね。少しでも、何か食べてくださいね。",
    "care.lunch.not_ate": "まだなのですね。少しでも、何か食べてくださいね。",
    "care.dinner.not_ate": "まだなのですね。少しでも、何か食べてくださいね。",
    "care.mood.low": "そうでしたか。お話を聞かせてくださって、ありがとうございます。",
    "bp_high": "少し高めですね。今日は、ゆっくりお過ごしください。記録は、センターの方にもお伝えしておきます。",
    "bp_urgent": (
        "とても高い値です。今日のうちに、お医者さんに診てもらってください。"
        "頭や胸が苦しいときは、119番に電話してください。"
    ),
    "told": "{told}に、すぐにお知らせしました。",
    "skip_last": "わかりました。",
    "skip_unknown": "わかりました。次にいきますね。",
    "skip_later": "わかりました。あとでまた伺いますね。",
    "done": "今日の分は、これでおしまいです。ありがとうございました。",
    "done_partial": "残りは、また次にお伺いしますね。ありがとうございました。",
    "confirm": "{value}ですね。よろしいですか。",
    "confirm_reprompt": "{value}でよろしければ「はい」、違うときは「いいえ」と言ってください。",
    "reask_not_understood": "すみません、うまく聞き取れませんでした。",
    "reask_out_of_range": "すみません、聞き間違えたかもしれません。もう一度教えてください。",
    "reask_check_again": "前回とだいぶ違うので、念のため、もう一度おっしゃってください。",
    "reask_say_again": "失礼しました。もう一度、教えてください。",
    "hint": "{hint}",
    "reprompt_goodbye": "お返事がなければ、またあとで伺いますね。",
    "goodbye_partial": "わかりました。ここまでのお答えは、記録しました。また後でお話ししましょうね。",
    "goodbye": "わかりました。またお話ししましょうね。",
    "emergency": (
        "わかりました。すぐに、119番に電話してください。"
        "このスピーカーからは、電話をかけられません。"
    ),
    "emergency_neighbour": "電話ができないときは、大きな声で、近くの人を呼んでください。",
    "unpaired": (
        "はじめまして。このスピーカーは、まだ登録されていません。"
        "センターからお渡しした6桁の番号を、「コードは、123456」のように言ってください。"
        "番号がわからないときは、地域包括支援センターにお問い合わせください。"
    ),
    "unpaired_reprompt": "6桁の番号を、「コードは、123456」のように言ってください。",
    "pair_unknown": "すみません、その番号は見つかりませんでした。6桁の番号を、もう一度言ってください。",
    "pair_expired": (
        "その番号は、有効期限が切れています。お手数ですが、センターに新しい番号をお尋ねください。"
    ),
    "pair_not_understood": "すみません、聞き取れませんでした。6桁の番号を、ゆっくり言ってください。",
    "paired": "ありがとうございます。{name}さんのスピーカーとして、登録しました。",
    "not_watching": "今は、見守りはお休みになっています。くわしくは、センターにお問い合わせください。",
    "who_is_watching": "お答えを見ているのは、{shares}です。",
    "consent_explained": "{date}に、ご同意をいただいています。",
    "consent_missing": "まだご同意をいただいていないので、お答えはどなたにも伝わりません。",
    "help_question": "{hint}",
    "help_general": "わからないときは「わからない」と言ってください。",
    "help_idle": "お話をやめるときは「ストップ」と言ってください。",
    "fallback": "すみません、うまく聞き取れませんでした。",
    "repair_heard": "すみません、うまく分かりませんでした。",
    "repair_choices": "{choices}の、どれかで教えてください。",
    "repair_buttons": "画面のボタンを押して答えることもできます。",
    "repair_skip": "ごめんなさい、うまく分かりませんでした。このご質問は、あとで伺いますね。",
    "nothing_to_repeat": "すみません、もう一度はじめからお願いします。",
    "error": "すみません、うまくいきませんでした。少し時間をおいて、もう一度お試しください。",
    "no_question_set": "すみません、質問の準備ができていません。センターにお問い合わせください。",
    "away_ask_until": "{kind}ですね。いつまでのご予定ですか。「来週の日曜日まで」のように教えてください。わからなければ「わからない」で大丈夫です。",
    "away_ask_until_from": "{since}から、{kind}ですね。いつまでのご予定ですか。「来週の日曜日まで」のように教えてください。わからなければ「わからない」で大丈夫です。",
    "away_until_reprompt": "いつまでのご予定ですか。わからなければ「わからない」と言ってください。",
    "away_confirm": "{kind}で、{until}まで、見守りをお休みにします。よろしいですか。",
    "away_confirm_from": "{since}から、{kind}で、{until}まで、見守りをお休みにします。よろしいですか。",
    "away_confirm_open_from": "{since}から、{kind}のあいだ、見守りをお休みにします。お戻りになったら「ただいま」と言ってください。よろしいですか。",
    "away_confirm_open": "{kind}のあいだ、見守りをお休みにします。お戻りになったら「ただいま」と言ってください。よろしいですか。",
    "yes_or_no": "「はい」か「いいえ」でお答えください。",
    "away_cancelled": "わかりました。お休みにはしません。",
    "weekly_confirm": "毎週{weekdays}は、{absence}ですね。その日は、お返事がなくても、すぐにはご家族へ知らせません。よろしいですか。",
    "weekly_set": "わかりました。覚えておきますね。",
    "weekly_cancelled": "わかりました。そのままにしておきますね。",
    "away_set_hospital": "お休みにしました。どうぞお大事になさってください。お戻りを待っています。",
    "away_set_travel": "お休みにしました。気をつけて、行ってらっしゃい。",
    "away_set_short_stay": "お休みにしました。ゆっくりしてきてくださいね。",
    "away_set_other": "お休みにしました。お気をつけて。",
    "away_active": "今は、見守りをお休みしています。お戻りでしたら「ただいま」と言ってください。",
    "welcome_back": "おかえりなさい。",
    "button_unknown": "わからない",
    "button_later": "あとで",
    "button_yes": "はい",
    "button_no": "いいえ",
}

# Municipal notices.
JA_JP |= {
    "notice_offer": (
        "新しいお知らせが{n}件あります。今お聞きになりますか。"
        "あとにするときは「あとで」と言ってください。"
    ),
    "notice_offer_again": "すみません、うまく聞き取れませんでした。",
    "notice_offer_heard": "先に、お知らせのことを伺いますね。",
    "notice_offer_reprompt": "お知らせを今聞くときは「はい」、あとにするときは「あとで」と言ってください。",
    "notice_later": "わかりました。お知らせは、お話のあとでお伝えしますね。",
    "notice_intro": "お知らせをお伝えします。",
    "notice_item": "{title}。{speech}",
    "notice_end": "お知らせは、以上です。",
    "notice_disaster": "大切なお知らせです。{title}。{speech}",
    "safety_question": "ご無事ですか。「無事です」か「助けが必要です」で、お答えください。",
    "safety_reprompt": "ご無事なら「無事です」、助けが必要なら「助けが必要です」と言ってください。",
    "safety_reask": "すみません、うまく聞き取れませんでした。「無事です」か「助けが必要です」で、お答えください。",
    "safety_reask_heard": "ご無事かどうかを伺っています。「無事です」か「助けが必要です」で、お答えください。",
    "safety_safe": "ご無事で、よかったです。",
    "safety_need_help": "わかりました。",
    "safety_call_119": (
        "命に関わるときは、119番に電話してください。このスピーカーからは、電話をかけられません。"
    ),
}

# Family messages in the conversation (the rest of their wording: skill/family_prompts.py).
JA_JP |= {
    "family_next": "続きもご覧になりますか。",
    "family_next_reprompt": "続きをご覧になるときは「はい」と言ってください。",
    "reply_offer": "お返事をなさいますか。",
    "reply_offer_reprompt": "お返事をなさるときは「はい」、しないときは「いいえ」と言ってください。",
    "closing": "またお話ししましょうね。",
}

# After a completed check-in: topic, stamp, quiz (engagement; kept in its own catalog).
JA_JP |= ENGAGEMENT_JA_JP
# The medication reminder the elder can set by voice (its own catalog).
JA_JP |= REMINDER_JA_JP

# A 体操 notice: the invitation in its time window and the answer to it.
JA_JP |= EXERCISE_JA_JP

WEEKLY_KINDS = {"dayservice": "デイサービス", "clinic": "通院", "other": "お出かけ"}
AWAY_KINDS = {
    "hospital": "入院",
    "travel": "旅行",
    "short_stay": "ショートステイ",
    "other": "お出かけ",
}
_UNITS = {"kg": "{}キロ", "steps": "{}歩", "minutes": "{}分", "count": "{}回", "celsius": "{}度"}


def format_value(value: Any, unit: str) -> str:
    """Return a value as it is read back: 52.5キロ, 6500歩, 上が135、下が85."""
    if isinstance(value, dict) and "systolic" in value:
        return f"上が{value['systolic']}、下が{value['diastolic']}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _UNITS.get(unit, "{}").format(value)


def format_time(hhmm: str) -> str:
    """Return "6時" for 06:00 and "6時30分" for 06:30."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    return f"{hour}時" + (f"{minute}分" if minute else "")


def format_until(value: str) -> str:
    """Return an AMAZON.DATE value as said back: 12月1日, 12月6日（日曜日）, 12月末."""
    if "-W" in value:
        year, week = value.split("-W")
        day = date.fromisocalendar(int(year), int(week), 7)
        return f"{day.month}月{day.day}日（日曜日）"
    if len(value) == 7:
        return f"{int(value[5:7])}月末"
    day = date.fromisoformat(value)
    return f"{day.month}月{day.day}日"


def format_date(day: date) -> str:
    """Return a date as 2026年4月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")


def _without_brackets(text: str) -> str:
    """Return ``text`` without its parenthesised notes (read aloud they confuse)."""
    while _BRACKETS.search(text):
        text = _BRACKETS.sub("", text)
    return text.strip()


def told_words(told: Any) -> str:
    """Return who was told: センター, and the family members by relation and name."""
    people = ["センター"] if told.center else []
    people += [
        f"{relation}の{name}さん" if relation else f"{name}さん" for relation, name in told.family
    ]
    return "と、".join(people)


def care_key(params: dict[str, Any], catalog: dict[str, str]) -> str | None:
    """Return the key said after an answer: its care phrase, else thanks (None: nothing)."""
    care = f"care.{params['question']}.{params['answer']}"
    if care in catalog:
        return care
    if params.get("concern"):
        return "ack_concern"
    return "ack" if params.get("thanks", True) else None


def render(key: str, params: dict[str, Any], catalog: dict[str, str] = JA_JP) -> str:
    """Return the text of a prompt with its parameters filled in."""
    if key == "care":
        key = care_key(params, catalog) or ""
        if not key:
            return ""
    if key in ("intro", "resume"):
        key = intro_key(int(params["count"])).replace("intro", key)
    values = dict(params)
    if "told" in values:
        values["told"] = told_words(values["told"])
    if "count" in values:
        values["count"] = count_words(int(values["count"]))
    if "value" in values:
        values["value"] = format_value(values["value"], values.get("unit", ""))
    if "start" in values:
        values["start"] = format_time(values["start"])
    if isinstance(values.get("at"), str):
        values["at"] = format_clock(values["at"])
    if isinstance(values.get("date"), date):
        values["date"] = format_date(values["date"])
    if "kind" in values:
        values["kind"] = AWAY_KINDS.get(str(values["kind"]), AWAY_KINDS["other"])
    if "absence" in values:
        values["absence"] = WEEKLY_KINDS.get(str(values["absence"]), WEEKLY_KINDS["other"])
    if isinstance(values.get("weekdays"), list):
        values["weekdays"] = "と".join(f"{w}曜日" for w in values["weekdays"])
    if isinstance(values.get("until"), str):
        values["until"] = format_until(values["until"])
    if isinstance(values.get("since"), str):
        values["since"] = format_until(values["since"])
    if "shares" in values:
        values["shares"] = "と、".join(
            dict.fromkeys(_without_brackets(s.recipient) for s in values["shares"])
        )
    return catalog[key].format(**values)
