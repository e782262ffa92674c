"""What staff and family read in notifications (ja-JP), by alert rule."""

from __future__ import annotations

from datetime import date

SLOT_LABELS = {"morning": "朝", "noon": "昼", "evening": "晩"}

RULE_TITLES = {
    "missed_checkin": "{day}{slot}の確認に応答がありません",
    "concern": "気になる答えがありました（{question}）",
    "weight_drop": "体重が減っています",
    "activity_drop": "活動量が減っています",
    "bp_high": "血圧が高めです（当日中の確認をお願いします）",
    "bp_urgent": "血圧がとても高い値です（至急ご確認ください）",
    "emergency": "緊急の言葉がありました（至急ご確認ください）",
    "disaster_help": "災害のお知らせに「助けが必要」と答えました（至急ご確認ください）",
    "kihon_checklist": "基本チェックリストで気になる結果がありました（急ぎではありません）",
    "follow_up": "今月のフォローアップ項目があります（急ぎではありません）",
    "speaker_silent": "スピーカーと連絡が取れません（お電話での確認をお願いします）",
}

DAY = "{month}月{day}日 "
QUESTION_UNKNOWN = "質問への答え"
MONTH = "{year}年{month}月"
WEIGHT_AMOUNT = "（{drop:.1f}kg 減）"
WEIGHT_PERIOD = "この6か月"
ACTIVITY_PERIOD = "この5週間"

SUBJECT = "【みまもり】{name}さん：{title}"
BODY = (
    "{recipient}様\n\n"
    "{name}さんについてお知らせします。\n"
    "内容：{title}\n"
    "期間：{period}\n"
    "{detail}\n"
    "どなたかが確認する場合は、ダッシュボードまたはLINEで「私が確認します」を押してください。\n"
    "命に関わるおそれがあるときは、119番に通報してください。\n\n"
    "みまもり"
)
# The spoken nudge before family is told (Proactive Events to the elder's own speaker).
ENDED_SUBJECT = "【みまもり】{name}さん：その後、反応がありました"
ENDED_BODY = (
    "{recipient}様\n\n"
    "先ほどお知らせした「{title}」のその後です。\n"
    "{at}に、{name}さんの反応がありました（{how}）。\n"
    "ご心配をおかけしました。気になることがあれば、お声をかけてあげてください。\n\n"
    "みまもり"
)
ENDED_HOW_SPEAKER = "スピーカーでのお返事やご利用"
ENDED_HOW_DEVICE = "歩数計・体重計などの記録"
CHECKIN_NUDGE_CREATOR = "みまもり"
CHECKIN_NUDGE_BODY = "見守りの時間です。「アレクサ、みまもりを開いて」と話しかけてください"
PRIORITY_NOTE = "2日続けて応答がありません。訪問などのご確認をお願いします。"
# A missed check-in (not yet two days): the speaker itself may be off (power, Wi-Fi), which the
# product cannot tell from here; say so, so that a family phones before they worry.
MISSED_NOTE = (
    "スピーカーの電源やWi-Fiの不具合で、お返事が届かないこともあります。"
    "まずはお電話などで、ご様子を確かめてください。"
)


def title_for(rule: str, period: str, evidence: dict) -> str:
    """Return the short Japanese title of an alert."""
    base = rule.partition(":")[0]
    template = RULE_TITLES.get(base, rule)
    day_text, _, slot_id = period.partition("/")
    slot = evidence.get("slot_label") or SLOT_LABELS.get(slot_id, "")
    day = _day(evidence.get("date") or day_text) if base == "missed_checkin" else ""
    # A concern's question by its title (「体調」), never by its id (``condition``).
    question = evidence.get("question_title") or evidence.get("title") or QUESTION_UNKNOWN
    title = template.format(slot=slot, question=question, day=day)
    if base == "weight_drop" and isinstance(evidence.get("drop_kg"), int | float):
        title += WEIGHT_AMOUNT.format(drop=float(evidence["drop_kg"]))
    return title


def period_for(rule: str, period: str, evidence: dict) -> str:
    """Return when an alert happened, in words (the period key itself is an internal code)."""
    base = rule.partition(":")[0]
    if base == "missed_checkin":
        slot = evidence.get("slot_label") or SLOT_LABELS.get(period.partition("/")[2], "")
        return f"{_day(evidence.get('date') or period)}{slot}".strip()
    if base == "kihon_checklist":
        year, _, month = (evidence.get("month") or period).partition("-")
        return MONTH.format(year=int(year), month=int(month)) if month.isdigit() else ""
    if base == "weight_drop" or base == "activity_drop":
        return WEIGHT_PERIOD if base == "weight_drop" else ACTIVITY_PERIOD
    if evidence.get("at"):
        at = evidence["at"]
        return f"{_day(at)}{at[11:16]}".strip()
    return _day(period).strip()


def _day(text: str) -> str:
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return ""
    return DAY.format(month=day.month, day=day.day)


# Family on LINE: the speaker's nudge, the elder's replies, the daily summary.
FAMILY_NUDGE_CREATOR = "{name}さん"  # Alexa: 「明美さんから新しいメッセージ…」
FAMILY_NUDGE_BODY = "ご家族からメッセージが届いています"
FAMILY_REPLY_SUBJECT = "{elder}さんからのお返事（スピーカーより）"
SUMMARY_MORNING = "今朝のチェック"
SUMMARY_DAY = "今日のチェック"
SUMMARY_ELDER = "{elder}さん {heading}：{items}"
SUMMARY_NONE = "{elder}さん {heading}：まだお答えがありません"
SUMMARY_AWAY = "{elder}さん：お休み中（{kind}）"
SUMMARY_CHOICE = "{title}『{label}』"
SUMMARY_MEDICATION = {"yes": "お薬は飲みました", "no": "お薬はまだです"}
SUMMARY_YES_NO = {"yes": "{title}『はい』", "no": "{title}『いいえ』"}
SUMMARY_NUMBER = "{title}{value}"
SUMMARY_SEPARATOR = "、"
SUMMARY_STREAK = "（{days}日つづけてお話ししています）"  # with stamps on, from 2 days
SUMMARY_FOOTER = "（毎日のまとめは「まとめ停止」で止められます）"
AWAY_LABELS = {
    "hospital": "入院",
    "travel": "旅行",
    "short_stay": "ショートステイ",
    "other": "その他",
}


# Engagement after the check-in: the quiz screen and the stamp card (skill/apl/stamps.json).
QUIZ_TITLE = "今日のクイズ"
STAMP_TITLE = "{month}月のスタンプ"
STAMP_MESSAGE = "今日のスタンプ"
STAMP_STREAK = "{days}日つづけて、お話しできました"
STAMP_MARK = "花"

# A 体操 notice on the screen: its answer buttons (backend/services/exercise_dialogue.py).
EXERCISE_DONE = "やった"
EXERCISE_NOT_TODAY = "今日はやめとく"
EXERCISE_INVITE = "{title}の時間です。ご一緒にいかがですか。"
# How staff read an answer to it (the notice page).
EXERCISE_ANSWERS = {"done": "やった", "going": "これから", "not_today": "今日はやめとく"}

# The medication reminder the elder set by voice: what the speaker says at the time (kept short
# and discreet: reminders are heard and shown by anyone near the speaker).
MEDICATION_REMINDER_TEXT = "お薬の時間です。"
