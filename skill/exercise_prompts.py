"""What the speaker says for a 体操 notice: the invitation and the thanks for an answer (ja-JP)."""

from __future__ import annotations

JA_JP: dict[str, str] = {
    "exercise_invite": "{title}の時間です。ご一緒にいかがですか。",
    "exercise_words": "{text}",  # the municipality's own words after the invitation, if any
    "exercise_reprompt": (
        "ご一緒なさるなら「はい」、お済みなら「やった」、お休みなら「今日はやめとく」と言ってくださいね。"
    ),
    "exercise_done": "よかったです。おつかれさまでした。",
    "exercise_going": "いいですね。無理のないように、楽しんでくださいね。",
    "exercise_not_today": "わかりました。今日は、ゆっくりなさってくださいね。",
}
