"""What the speaker says after the check-in: topic, stamp and quiz (ja-JP)."""

from __future__ import annotations

JA_JP: dict[str, str] = {
    "say": "{text}",  # a sentence of the engagement catalogs (questions/engagement/)
    # The check-in's closing when more follows: its thanks come at the very end.
    "done_more": "今日の分は、これでおしまいです。",
    "engagement_goodbye": "今日も、ありがとうございました。またお話ししましょうね。",
    "stamp_today": "今日のスタンプを押しました。",
    "stamp_streak": "{days}日つづけて、お話しできましたね。",
    "quiz_offer": "今日のクイズを、一つ出してもいいですか。",
    "quiz_offer_reprompt": "クイズをするときは「はい」、しないときは「いいえ」と言ってください。",
    "quiz_two_choices": "{a}か、{b}か、どちらでしょう。",
    "quiz_three_choices": "{a}、{b}、{c}の、どれでしょう。",
    "quiz_right": "正解です。",
    "quiz_wrong": "正解は、{answer}でした。",
    "quiz_unclear_again": "もう一度、答えを教えてください。",
    "quiz_answer_is": "答えは、{answer}です。",
    "quiz_next": "では、もう一つです。",
    "quiz_goodbye": "今日も、ありがとうございました。また明日も、お話ししましょうね。",
    "quiz_declined": "わかりました。クイズは、また今度に。今日も、ありがとうございました。",
    "quiz_off": (
        "わかりました。クイズは、お休みにします。またしたくなったら「クイズ」と言ってください。"
    ),
    "quiz_none_today": "今日のクイズは、もうおしまいです。また明日、お楽しみに。",
}
