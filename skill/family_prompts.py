"""What the speaker says about messages from family (ja-JP)."""

from __future__ import annotations

JA_JP: dict[str, str] = {
    "offer_one": "{names}さんからメッセージが届いています。お聞きになりますか。",
    "offer_many": "{names}さんからメッセージが{count}件届いています。お聞きになりますか。",
    "offer_reprompt": "ご家族からのメッセージをお聞きになりますか。はい、か、いいえ、でお答えください。",
    "text": "{name}さんからのメッセージです。「{text}」",
    "sticker": "{name}さんからスタンプが届きました。",
    "photo": "{name}さんから写真が届きました。画面をご覧ください。",
    "photo_no_screen": "{name}さんから写真が届きました。画面のある機器でご覧いただけます。",
    "photo_no_screen_many": (
        "{name}さんから写真が{count}枚届きました。画面のある機器でご覧いただけます。"
    ),
    "video": "{name}さんから動画が届きました。画面をご覧ください。",
    "video_no_screen": "{name}さんから動画が届きました。画面のある機器でご覧いただけます。",
    "video_no_screen_many": (
        "{name}さんから動画が{count}本届きました。画面のある機器でご覧いただけます。"
    ),
    "photo_more": "もう1枚、{name}さんから写真です。画面をご覧ください。",
    "video_more": "もう1本、{name}さんから動画です。画面をご覧ください。",
    "photo_title": "{name}さんから",
    "later": "わかりました。メッセージは、またあとでお伝えしますね。",
    "reply_hint": "お返事をするときは、あとで「返事をする」とおっしゃってください。",
    # The elder's reply to family (「返事をする」「娘に伝えて」).
    "reply_ask_text": (
        "{name}さんへのお返事ですね。お伝えしたいことを、"
        "「日曜日を楽しみにしています、と伝えて」のように、お話しください。"
    ),
    "reply_ask_text_reprompt": "お伝えしたいことを、「元気です、と伝えて」のようにお話しください。",
    "reply_ask_who": "どなたにお伝えしましょうか。{names}にお伝えできます。",
    "reply_ask_who_reprompt": "「{example}に伝えて」のように、お話しください。",
    "reply_unknown": "{said}にあたるかたは、見つかりませんでした。",
    "reply_several": "{said}にあたるかたが、お二人以上いらっしゃいます。",
    "reply_nobody": (
        "申し訳ありません。いまは、お返事をお届けできるご家族がいらっしゃいません。"
        "センターの方にご相談ください。"
    ),
    "reply_confirm": "{name}さんに、「{text}」とお伝えします。よろしいですか。",
    "reply_confirm_reprompt": "{name}さんにお伝えしてよろしいですか。はい、か、いいえ、でお答えください。",
    "reply_sent": "{name}さんにお伝えしました。",
    "reply_again": "わかりました。もう一度、お伝えしたいことを、「元気です、と伝えて」のようにお話しください。",
    "reply_not_allowed": "申し訳ありません。いまは、{name}さんにお伝えできません。",
    # From the care center (sent by staff on the dashboard); {name} is the center's name.
    "center_text": "{name}からのお知らせです。「{text}」",
    "offer_center_one": "{name}から、お知らせが届いています。お聞きになりますか。",
    "offer_with_center": "{names}から、メッセージが{count}件届いています。お聞きになりますか。",
    "offer_reprompt_center": "届いたお知らせをお聞きになりますか。はい、か、いいえ、でお答えください。",
}
