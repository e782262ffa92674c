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
}
