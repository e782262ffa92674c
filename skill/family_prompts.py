"""What the speaker says about messages from family (ja-JP)."""

from __future__ import annotations

JA_JP: dict[str, str] = {
    "offer_one": "{names}さんからメッセージが届いています。お聞きになりますか。",
    "offer_many": "{names}さんからメッセージが{count}件届いています。お聞きになりますか。",
    "offer_reprompt": "ご家族からのメッセージをお聞きになりますか。はい、か、いいえ、でお答えください。",
    "text": "{name}さんからのメッセージです。「{text}」。",
    "sticker": "{name}さんからスタンプが届きました。",
    "photo": "{name}さんから写真が届きました。画面をご覧ください。",
    "photo_no_screen": "{name}さんから写真が届きました。画面のある機器でご覧いただけます。",
    "video": "{name}さんから動画が届きました。画面をご覧ください。",
    "video_no_screen": "{name}さんから動画が届きました。画面のある機器でご覧いただけます。",
    "photo_title": "{name}さんから",
    "later": "わかりました。メッセージは、またあとでお伝えしますね。",
    # From the care center (sent by staff on the dashboard); {name} is the center's name.
    "center_text": "{name}からのお知らせです。「{text}」。",
    "offer_center_one": "{name}から、お知らせが届いています。お聞きになりますか。",
    "offer_with_center": "{names}から、メッセージが{count}件届いています。お聞きになりますか。",
    "offer_reprompt_center": "届いたお知らせをお聞きになりますか。はい、か、いいえ、でお答えください。",
}
