"""What the bot says to family members in LINE (Japanese; one catalog, no text in code)."""

from __future__ import annotations

JA_JP: dict[str, str] = {
    "welcome": (
        "友だち追加ありがとうございます。みまもりです。\n"
        "お手紙に書かれた6桁のコードを、このトークに送ってください。"
        "ご家族のスピーカーとつながります。"
    ),
    "welcome_back": (
        "おかえりなさい。もう一度つながるには、センターから新しいコードを受け取って送ってください。"
    ),
    "linked": (
        "{elder}さんとつながりました（{relation}の{name}さん）。\n"
        "ここに送ったメッセージや写真は、{elder}さんのスピーカーでお伝えします。"
        "「ヘルプ」と送ると使い方をご案内します。"
    ),
    "code_unknown": "そのコードは見つかりませんでした。お手紙の6桁の数字をもう一度お確かめください。",
    "code_expired": (
        "そのコードは期限が切れているか、すでに使われています。センターに新しいコードをお申し付けください。"
    ),
    "not_linked": (
        "まだどなたともつながっていません。お手紙に書かれた6桁のコードを送ってください。"
    ),
    "relayed_text": "{elders}さんのスピーカーにお届けします。次にお話しするときにお伝えします。",
    "relayed_photo": "写真をお預かりしました。{elders}さんのスピーカーの画面でお見せします。",
    "relayed_video": "動画をお預かりしました。{elders}さんのスピーカーの画面でお見せします。",
    "relayed_sticker": "スタンプをお届けします。{elders}さんに「スタンプが届きました」とお伝えします。",
    "too_long": "メッセージが長すぎます。{limit}文字以内に分けて送ってください。",
    "too_large": "ファイルが大きすぎてお届けできませんでした。小さくしてから送ってください。",
    "unsupported": (
        "申し訳ありません。音声・位置情報・ファイルはまだお届けできません。"
        "文字、写真、動画、スタンプでお送りください。"
    ),
    "media_failed": ("写真を受け取れませんでした。お手数ですが、もう一度送ってください。"),
    "groups_unsupported": (
        "グループではご利用いただけません。みまもりとの1対1のトークでお使いください。"
    ),
    "unlinked": "{elders}さんとのつながりを解除しました。またつながるには、新しいコードを送ってください。",
    "help": (
        "使い方\n"
        "・文字、写真、動画、スタンプを送ると、スピーカーでお伝えします\n"
        "・「状況」… 今日のチェックの様子\n"
        "・「おやすみ登録」… 入院や旅行で見守りをお休みに（「おやすみ終了」で再開）\n"
        "・「まとめ 8時」… 毎日8時にその日の様子のまとめを受け取る（「まとめ停止」で停止）\n"
        "・「解除」… つながりを解除\n"
        "・「ヘルプ」… この案内"
    ),
    "status_header": "{elder}さんの今日の様子",
    "status_hidden": "{elder}さん：ご本人の同意の範囲外のため、様子はお伝えできません。",
    "status_away": "・お休み中（{kind}）",
    "status_none": "・今日のチェックはまだです",
    "status_slot": "・{slot}のチェック：{status}（{answers}問お答え）",
    "postback_unknown": "この操作はもう使えません。",
    "claimed": "ありがとうございます。{elder}さんの確認を{holder}さんにお願いしました。センターにも伝わっています。確認できたら、結果を選んでください。",
    "claim_taken": "{elder}さんの確認は、すでに{holder}さんが引き受けています。",
    "claim_done_already": "{elder}さんのこのお知らせは、すでに対応が終わっています。",
    "not_allowed": "このお知らせは、つながっているご家族のものではないため操作できません。",
    "resolved": "ありがとうございました。{elder}さんの結果「{outcome}」を記録しました。センターにも伝わっています。",
    "away_ask": "どなたの、どのようなお休みですか。ボタンを押して、お休みが終わる日を選んでください。",
    "away_set": "{elder}さんの見守りを、{until}まで「{kind}」でお休みにしました。戻られたら「おやすみ終了」と送ってください。",
    "away_ended": "{elders}さんの見守りを再開しました。",
    "away_none": "いまお休み中の方はいません。",
    "away_bad_date": "日付を選べませんでした。もう一度「おやすみ登録」と送ってください。",
    "summary_set": (
        "毎日{time}に、{elders}さんの様子のまとめをお送りします"
        "（ご本人の同意の範囲で）。止めるときは「まとめ停止」と送ってください。"
    ),
    "summary_stopped": "毎日のまとめを止めました。また受け取るときは「まとめ 8時」のように送ってください。",
    "summary_not_set": "毎日のまとめは受け取っていません。「まとめ 8時」のように送ると始まります。",
    "summary_current": "毎日{time}にまとめをお送りしています。止めるときは「まとめ停止」と送ってください。",
    "summary_bad_time": (
        "時刻がわかりませんでした。7時から20時台の間で、「まとめ 8時」「まとめ 19時半」のように送ってください。"
    ),
}

SLOT_NAMES = {"morning": "朝", "noon": "昼", "evening": "晩"}
CHECKIN_STATUS_NAMES = {"started": "始めたところ", "partial": "途中まで", "completed": "完了"}
AWAY_NAMES = {
    "hospital": "入院",
    "travel": "旅行",
    "short_stay": "ショートステイ",
    "other": "その他",
}


def say(key: str, **params: object) -> str:
    """Return the catalog text of ``key`` with ``params`` filled in."""
    return JA_JP[key].format(**params)


def text(key: str, **params: object) -> dict[str, str]:
    """Return a LINE text message of a catalog entry."""
    return {"type": "text", "text": say(key, **params)}
