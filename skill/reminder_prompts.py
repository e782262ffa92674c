"""What the speaker says of the medication reminder the elder can set by voice (ja-JP)."""

from __future__ import annotations

JA_JP: dict[str, str] = {
    "reminder_offer": "お薬の時間に、このスピーカーでお知らせしましょうか。",
    "reminder_offer_reprompt": "お知らせするときは「はい」、いらないときは「いいえ」と言ってください。",
    "reminder_declined": "わかりました。お知らせは、しないでおきますね。",
    "reminder_ask_time": "何時にお知らせしましょうか。「朝8時」のように教えてください。",
    "reminder_time_reprompt": "お知らせする時間を、「朝8時」のように教えてください。",
    "reminder_time_again": "すみません、うまく聞き取れませんでした。「朝8時」のように、時間を教えてください。",
    "reminder_time_given_up": "ごめんなさい、うまく分かりませんでした。お知らせは、また「薬の時間に教えて」と言ってくださいね。",
    # Said before Alexa's own question whether the skill may set reminders.
    "reminder_permission": "では、このスピーカーでお知らせしてよいか、確かめますね。",
    "reminder_set": "毎日、{at}に、お薬の時間をお知らせしますね。やめるときは「お薬のお知らせはいらない」と言ってください。",
    "reminder_already": "お薬のお知らせは、毎日、{at}に、もうしていますよ。",
    "reminder_no_permission": "すみません、お知らせの許可がなくて、設定できませんでした。",
    "reminder_failed": "すみません、いまはお知らせを設定できませんでした。また後で「薬の時間に教えて」と言ってくださいね。",
    "reminder_permission_denied": "わかりました。お知らせは、しないでおきますね。",
    "reminder_permission_unanswered": "わかりました。お知らせは、また「薬の時間に教えて」と言ってくださいね。",
    "reminder_none": "わかりました。お薬のお知らせは、いまはしていません。",
    "reminder_removed": "わかりました。お薬のお知らせは、やめにしました。",
    "reminder_remove_failed": "すみません、いまはお知らせをやめられませんでした。少し時間をおいて、もう一度おっしゃってください。",
    "reminder_unavailable": "すみません、このスピーカーでは、お知らせを設定できません。",
}


def format_clock(hhmm: str) -> str:
    """Return a time of day as said to an elder: 朝8時, お昼の12時, 夕方5時, 夜7時半."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    if 4 <= hour < 12:
        part, shown = "朝", hour
    elif 12 <= hour < 15:
        part, shown = "お昼の", hour if hour == 12 else hour - 12
    elif 15 <= hour < 19:
        part, shown = "夕方", hour - 12 if hour > 12 else hour
    elif hour >= 19:
        part, shown = "夜", hour - 12
    else:
        part, shown = "夜中の", hour
    minutes = "" if minute == 0 else "半" if minute == 30 else f"{minute}分"
    return f"{part}{shown}時{minutes}"
