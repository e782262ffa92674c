"""What staff read on the elder page's management parts (ja-JP): pairing, family, consent."""

from __future__ import annotations

from backend.domain.model import WithdrawalMethod

PAIRING_REVOKED = "スピーカーのペアリングコードを無効にしました（{count}件）。"
PAIRING_NONE = "有効なペアリングコードはありませんでした。"
UNLINKED = "{relation}の{name}さんのLINE連携を解除しました。今後お知らせは届きません。"
TIMES_SAVED = "質問の時間帯を保存しました。次の見守りから変わります。"
BAD_TIMES = "質問または時間帯が、この市町村の質問セットにありません。"
ABSENCES_SAVED = (
    "毎週のお出かけ（デイサービス・通院）を保存しました。その時間帯は応答がなくても知らせません"
    "（その日もお答えになる方は、ふだんどおり見守ります）。"
)
ABSENCE_BY_ELDER = "（ご本人から）"  # the elder told of it on the speaker; saving confirms it
BAD_ABSENCES = "曜日・種類・時間帯のどれかが正しくありません。"
ABSENCE_KINDS = {"": "なし", "dayservice": "デイサービス", "clinic": "通院", "other": "その他"}
NOT_WATCHED = "この方は同意を撤回されているため、新しい登録はできません。"
CONSENT_FIRST = (
    "同意の記録がまだないため、スピーカーやご家族の登録はできません。先に同意を記録してください。"
)
WITHDRAWN = "同意の撤回を記録しました。見守りをすべて止めました。"
ALREADY_WITHDRAWN = "この方の同意はすでに撤回されています。"
NO_CONSENT = "同意の記録がないため、撤回の記録はできません。"

NAME_REQUIRED = "お名前を入力してください。"
RELATION_REQUIRED = "続柄を入力してください。"
TOO_LONG = "{label}は{max}文字までにしてください。"
METHOD_REQUIRED = "撤回の方法を選んでください。"
CONFIRM_REQUIRED = "確認のチェックを入れてください。"

WITHDRAWAL_METHODS = {
    WithdrawalMethod.WRITTEN: "書面（撤回届）",
    WithdrawalMethod.IN_PERSON: "口頭（面談で）",
    WithdrawalMethod.PHONE: "電話で",
    WithdrawalMethod.PROXY: "代理人（ご家族・成年後見人など）から",
    WithdrawalMethod.OTHER: "その他",
}

# The welcome letter (ご家族へのご案内), printed and posted or handed over.
LETTER_TITLE = "みまもりサービス LINE登録のご案内"
LETTER_GREETING = "{name}様"
LETTER_INTRO = (
    "いつもお世話になっております。{elder}さんの見守りのお知らせを、"
    "LINEでお受け取りいただけるようになりました。"
    "次の手順で登録をお願いいたします。"
)
LETTER_STEPS = (
    "LINEで、{center}からお知らせする「みまもり」公式アカウントを友だちに追加してください。",
    "トーク画面に、下の6桁の登録コードをそのまま送ってください。",
    "「登録しました」と返事が届けば完了です。",
)
LETTER_CODE = "登録コード"
LETTER_EXPIRES = "このコードは{date}まで、1回だけ使えます。"
LETTER_AFTER = (
    "登録のあとは、{elder}さんへのメッセージや写真をLINEで送ると、"
    "ご自宅のスピーカーでお伝えします。"
    "「解除」と送ると、いつでも登録をやめられます。"
)
LETTER_PRIVACY = (
    "お知らせの内容は、{elder}さんが同意された範囲に限ります。"
    "このご案内は大切に保管し、ほかの方に見せないでください。"
)
LETTER_CONTACT = "ご不明な点は {center} までお問い合わせください。"
